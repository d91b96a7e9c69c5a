import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { MesosBackendOptions } from '../../../src/backends/mesos/create-mesos-backend.js';
import { createMesosBackend } from '../../../src/backends/mesos/create-mesos-backend.js';
import type { MesosLogger } from '../../../src/backends/mesos/logger.js';

/** The fake Spark image the emulator runs; built by scripts/test-env.sh when missing. */
export const FAKE_IMAGE = 'sparkctl/spark-fake:test';
/** The secret every test spec points at through secretRef.env. */
export const SECRET = 'm3s0s-s3cr3t-value';

/** Builds the test images when they are not there yet. */
export function ensureFakeImage(): void {
  try {
    execFileSync('docker', ['image', 'inspect', FAKE_IMAGE], { stdio: 'ignore' });
  } catch {
    execFileSync('bash', [path.resolve('scripts/test-env.sh')], { stdio: 'inherit' });
  }
}

/** A logger that keeps every line, to assert on what was (and was not) logged. */
export function memoryLogger(): MesosLogger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (obj: Record<string, unknown>, msg: string) => void lines.push(JSON.stringify({ level, ...obj, msg }));
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** A Mesos backend with test timings over a state dir (a new temp dir unless given); a single-host cluster unless told otherwise. */
export function testBackend(overrides: Partial<MesosBackendOptions> = {}) {
  const logger = memoryLogger();
  const stateDir = overrides.stateDir ?? mkdtempSync(path.join(tmpdir(), 'mesos-backend-'));
  const backend = createMesosBackend({
    stateDir,
    instance: 'test-instance',
    logger,
    heartbeatGraceFactor: 2,
    heartbeatMarginMs: 500,
    backoff: { initialMs: 100, maxMs: 1000 },
    logPollMs: 200,
    reconcileSettleMs: 500,
    killTimeoutMs: 20_000,
    env: { MESOS_TEST_SECRET: SECRET },
    // The emulator's master and agents share 127.0.0.1, as with --mesos-single-host.
    singleHost: true,
    // The operator grants the test secret's variable (and nothing else) to manifests.
    policy: { allowHostNetwork: false, allowedHostPaths: [], allowedSecretEnv: ['MESOS_TEST_SECRET'] },
    ...overrides,
  });
  return { backend, logger, stateDir };
}

/** Calls of one type the master received, in order. */
export function callsOf(calls: unknown[], type: string): Array<Record<string, unknown>> {
  return calls.filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && (c as { type?: unknown }).type === type);
}

/** The TaskStatus of every UPDATE event a master sent for one task, in order. */
export function statusesSent(events: readonly Record<string, unknown>[], taskId: string): Array<{ state: string; uuid?: string }> {
  return events
    .filter((e) => e.type === 'UPDATE')
    .map((e) => (e.update as { status: { task_id: { value: string }; state: string; uuid?: string } }).status)
    .filter((s) => s.task_id.value === taskId);
}
