import { Registry } from 'prom-client';
import { serveHealth, type HealthServer } from '../../src/controller/serve-health.js';
import { silentLogger } from '../../src/logger.js';
import { createDashboard, type Dashboard } from '../../src/web/dashboard.js';
import type { Harness } from '../support/controller-harness.js';

/** The dashboard of a harness's folders, on the controller's health server (as `--metrics-addr` serves it), on a free loopback port. */
export interface DashboardServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the dashboard over a jobs folder and state dir (a harness's or a benchmark's), with live updates every `liveIntervalMs`. */
export async function serveDashboard(h: Pick<Harness, 'jobsDir' | 'stateDir'>, liveIntervalMs = 200): Promise<DashboardServer> {
  const dashboard: Dashboard = createDashboard({ jobsDir: h.jobsDir, stateDir: h.stateDir }, { liveIntervalMs });
  const health: HealthServer = await serveHealth({
    addr: '127.0.0.1:0',
    explicit: false,
    registry: new Registry(),
    isStarted: () => true,
    stateDir: h.stateDir,
    pingEngine: () => Promise.resolve(),
    logger: silentLogger(),
    routes: dashboard.handle,
  });
  return {
    url: health.url,
    close: async () => {
      dashboard.close();
      await health.close();
    },
  };
}

/** The markup an untrusted manifest puts in an annotation. */
export const HOSTILE_MARKUP = '<img src=x onerror=alert(1)>';
/** A secret env value that must never reach a page. */
export const SECRET_VALUE = 'hunter2-secret';

/** Adds labels, an annotation with markup and a secret env value to a fakeJob manifest. */
export function hostile(manifest: string, labels = '{team: geo}'): string {
  return manifest
    .replace(/( {2}name: [^\n]+\n)/, `$1  labels: ${labels}\n  annotations: {note: "${HOSTILE_MARKUP}"}\n`)
    .replace('memoryOverhead: 16m}', `memoryOverhead: 16m, env: [{name: TOKEN, value: ${SECRET_VALUE}, secret: true}]}`);
}
