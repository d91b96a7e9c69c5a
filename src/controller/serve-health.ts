import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Registry } from 'prom-client';
import { isLoopbackHost, MetricsAddressError, parseMetricsAddr } from '../config/metrics-addr.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';

/** What the health server reports on. */
export interface HealthOptions {
  /** `host:port`; port 0 picks a free one (tests). */
  readonly addr: string;
  /** True when the user typed the address: only then may it be non-loopback. */
  readonly explicit: boolean;
  readonly registry: Registry;
  /** Whether the controller finished starting (and has not stopped). */
  readonly isStarted: () => boolean;
  /** Where the journal lives: /readyz writes and removes a probe file there (at most once per `journalCheckMs`). */
  readonly stateDir: string;
  /** How long one journal check answers /readyz (default 1000 ms): requests share it instead of each writing a file. */
  readonly journalCheckMs?: number;
  /** Why the journal cannot record a job right now (fail-stop holds its driver); /readyz is 503 while set. */
  readonly journalProblem?: () => string | undefined;
  /** Pings the engine; /readyz needs an answer within `engineFreshSeconds`. */
  readonly pingEngine: (signal: AbortSignal) => Promise<unknown>;
  readonly engineFreshSeconds?: number;
  readonly pingIntervalMs?: number;
  readonly logger: Logger;
  /** More GET/HEAD routes (the dashboard): answers and returns true, or returns false for a path it does not serve. */
  readonly routes?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

/** A running health server. */
export interface HealthServer {
  /** `http://host:port` actually bound. */
  readonly url: string;
  close(): Promise<void>;
}

interface Check {
  ok: boolean;
  message: string;
}

const send = (res: ServerResponse, status: number, type: string, body: string) => {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  res.end(body);
};

/** Serves `/healthz` (process up), `/readyz` (started, journal writable, engine answered lately) and `/metrics`. */
export async function serveHealth(options: HealthOptions): Promise<HealthServer> {
  const { host, port } = parseMetricsAddr(options.addr);
  if (!isLoopbackHost(host) && !options.explicit) {
    throw new MetricsAddressError(
      `metrics address ${options.addr} is not loopback; pass --metrics-addr ${options.addr} explicitly to expose metrics beyond this host`,
    );
  }
  const log = options.logger.child({ module: 'health' });
  if (!isLoopbackHost(host)) log.warn({ addr: options.addr }, 'Serving metrics on a non-loopback address');
  const freshMs = (options.engineFreshSeconds ?? 30) * 1000;
  let lastPingOk: number | undefined;
  let lastPingError = 'no ping yet';
  let pinging = false;
  const ping = async () => {
    if (pinging) return;
    pinging = true;
    try {
      await options.pingEngine(AbortSignal.timeout(Math.min(freshMs, 5000)));
      lastPingOk = Date.now();
      lastPingError = '';
    } catch (err) {
      lastPingError = messageOf(err);
    } finally {
      pinging = false;
    }
  };
  void ping();
  const timer = setInterval(() => void ping(), options.pingIntervalMs ?? 5000);
  timer.unref();

  // One probe file per check, under a name no other check uses; the answer is shared by every
  // request while it runs and for `journalCheckMs` after, so unauthenticated probes cannot make
  // the controller write to disk per request, and concurrent probes cannot unlink each other's file.
  const probeJournal = async (): Promise<Check> => {
    const probe = join(options.stateDir, `.readyz-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      await writeFile(probe, 'ok', { mode: 0o600, flag: 'wx' });
      await unlink(probe);
      return { ok: true, message: 'writable' };
    } catch (err) {
      await unlink(probe).catch(() => undefined);
      return { ok: false, message: `state dir ${options.stateDir} is not writable: ${messageOf(err)}` };
    }
  };
  const checkMs = options.journalCheckMs ?? 1000;
  // `settledAt` stays undefined while the probe runs: a slow disk gets one probe in flight, not one per request.
  let journal: { settledAt?: number; result: Promise<Check> } | undefined;
  const journalCheck = (): Promise<Check> => {
    if (!journal || (journal.settledAt !== undefined && Date.now() - journal.settledAt >= checkMs)) {
      const entry: { settledAt?: number; result: Promise<Check> } = {
        result: probeJournal().finally(() => {
          entry.settledAt = Date.now();
        }),
      };
      journal = entry;
    }
    return journal.result;
  };

  const engineCheck = (): Check => {
    if (lastPingOk !== undefined && Date.now() - lastPingOk <= freshMs)
      return { ok: true, message: `answered ${Math.round((Date.now() - lastPingOk) / 1000)}s ago` };
    return { ok: false, message: `no answer within ${freshMs / 1000}s: ${lastPingError}` };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain', 'only GET\n');
    if (path === '/healthz') return send(res, 200, 'text/plain', 'ok\n');
    if (path === '/readyz') {
      const checks = {
        controller: options.isStarted() ? { ok: true, message: 'started' } : { ok: false, message: 'not started' },
        journal: await journalCheck().then((c) => {
          const problem = options.journalProblem?.();
          return problem === undefined || !c.ok ? c : { ok: false, message: problem };
        }),
        engine: engineCheck(),
      };
      const ok = Object.values(checks).every((c) => c.ok);
      return send(res, ok ? 200 : 503, 'application/json', `${JSON.stringify({ ready: ok, checks })}\n`);
    }
    if (path === '/metrics') return send(res, 200, options.registry.contentType, await options.registry.metrics());
    if (options.routes && (await options.routes(req, res))) return;
    return send(res, 404, 'text/plain', 'not found: try /healthz, /readyz or /metrics\n');
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      log.error({ err }, 'Health endpoint failed');
      if (!res.headersSent) send(res, 500, 'text/plain', 'internal error\n');
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new MetricsAddressError(`cannot listen on --metrics-addr ${options.addr}: ${messageOf(err)}`, { cause: err })),
    );
    server.listen(port, host, () => resolve());
  });
  const bound = server.address();
  const boundPort = typeof bound === 'object' && bound ? bound.port : port;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${boundPort}`;
  log.info({ url }, 'Serving /healthz, /readyz and /metrics');
  return {
    url,
    close: async () => {
      clearInterval(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
