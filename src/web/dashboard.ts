import type { IncomingMessage, ServerResponse } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { attemptMayWrite, currentAttempt, listAttemptLogs } from '../cli/attempts.js';
import type { JobView } from '../cli/find-job.js';
import { knownSecrets, maskEvents } from '../cli/printers/mask-secrets.js';
import { readJobEvents, readJobRecord } from '../state/read-journal.js';
import { readSyncStatus } from '../gitops/sync-status.js';
import { html } from './html.js';
import { JobIndex } from './job-index.js';
import { isPlainName, listOutputs, readTail, resolveOutput } from './job-files.js';
import { parseListQuery } from './list-query.js';
import { streamLog } from './log-stream.js';
import { renderJobList } from './render-job-list.js';
import { renderJobPage } from './render-job-page.js';
import { renderLayout } from './render-layout.js';
import { SECURITY_HEADERS, sendPage, startEventStream } from './security-headers.js';
import { readAsset } from './static-files.js';

/** The most of a driver log a job page embeds; the rest is a download away (`sparkctl logs`). */
const LOG_TAIL_BYTES = 256 * 1024;

/** The read-only web dashboard, as a route handler for the controller's --metrics-addr server. */
export interface Dashboard {
  /** Answers a GET/HEAD request it knows; false for any other path. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): void;
}

const HTML = 'text/html; charset=utf-8';

/** Live streams (rows and logs) open at once; more are refused with 503 so clients cannot pile up timers. */
const MAX_STREAMS = 64;

function notFoundPage(res: ServerResponse, what: string): void {
  sendPage(res, 404, HTML, renderLayout('Not found', undefined, html`<h1>Not found</h1><p>${what}</p><p><a href="/">All jobs</a></p>`));
}

/** The job a page names: the valid owner of the name first, as `sparkctl describe` picks it. */
const pick = (views: readonly JobView[], name: string) =>
  views.find((v) => v.name === name && v.job !== undefined && v.duplicateOf === undefined) ?? views.find((v) => v.name === name);

/** Creates the dashboard over a jobs folder and state dir (the same joins and masks as the CLI). */
export function createDashboard(ctx: { jobsDir: string; stateDir: string }, options: { liveIntervalMs?: number } = {}): Dashboard {
  const index = new JobIndex(ctx, options);
  void index.current().catch(() => undefined);

  const list = async (res: ServerResponse, params: URLSearchParams) => {
    const [views, sync] = await Promise.all([index.current(), readSyncStatus(ctx.stateDir)]);
    sendPage(res, 200, HTML, renderLayout('Jobs', sync, renderJobList(views, parseListQuery(params), index.generationOf(views))));
  };

  const rows = (req: IncomingMessage, res: ServerResponse, params: URLSearchParams) => {
    const only = params.get('name');
    const since = Number(params.get('since'));
    const send = startEventStream(res);
    const unsubscribe = index.subscribe(
      (changed, removed) => {
        for (const r of changed) if (only === null || r.name === only) send('row', r);
        for (const n of removed) if (only === null || n === only) send('removed', { name: n });
      },
      Number.isInteger(since) && since > 0 ? since : undefined,
    );
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      unsubscribe();
    });
  };

  const job = async (res: ServerResponse, name: string, params: URLSearchParams) => {
    const sync = await readSyncStatus(ctx.stateDir);
    // The index may be a moment old: a job it does not know yet but the journal does is looked up
    // in a fresh load (only then, so requests for unknown names cannot keep the loader busy).
    let views = await index.current();
    let view = pick(views, name);
    if (!view && isPlainName(name) && (await readJobRecord(ctx.stateDir, name).catch(() => undefined)))
      view = pick((views = await index.reload()), name);
    if (!view) return notFoundPage(res, `No SparkJob named ${name}.`);
    const [raw, logs, outputs] = await Promise.all([
      readJobEvents(ctx.stateDir, view.name).catch(() => []),
      listAttemptLogs(ctx.stateDir, view.name),
      listOutputs(ctx.stateDir, view.name),
    ]);
    const events = maskEvents(raw, knownSecrets(view.manifest, view.record));
    const asked = Number(params.get('attempt'));
    const attempt = logs.find((l) => l.attempt === asked)?.attempt ?? currentAttempt(view) ?? logs.at(-1)?.attempt;
    const shown = logs.find((l) => l.attempt === attempt);
    const log = shown ? await readTail(shown.path, LOG_TAIL_BYTES) : { text: '', size: 0, cut: false };
    const follow = attempt !== undefined && (await attemptMayWrite(ctx.stateDir, view.name, attempt));
    const data = {
      events,
      logs,
      ...(shown ? { attempt: shown.attempt } : {}),
      log,
      follow,
      outputs,
      generation: index.generationOf(views),
    };
    sendPage(res, 200, HTML, renderLayout(view.name, sync, renderJobPage(view, data)));
  };

  const download = async (req: IncomingMessage, res: ServerResponse, name: string, attempt: string, file: string) => {
    const path = await resolveOutput(ctx.stateDir, name, attempt, file);
    if (!path) return notFoundPage(res, `No collected output ${file} of ${name}, attempt ${attempt}.`);
    const { size } = await stat(path);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'application/octet-stream',
      'content-length': String(size),
      'content-disposition': `attachment; filename="${file}"`,
    });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(path)
      .on('error', () => res.destroy())
      .pipe(res);
  };

  let streams = 0;
  /** Runs a live stream within the limit; a HEAD request gets the headers only. */
  const stream = async (req: IncomingMessage, res: ServerResponse, run: () => void | Promise<void>): Promise<boolean> => {
    if (req.method === 'HEAD') return (sendPage(res, 200, 'text/event-stream; charset=utf-8', ''), true);
    if (streams >= MAX_STREAMS)
      return (sendPage(res, 503, 'text/plain; charset=utf-8', 'too many live streams; try again later\n', { 'retry-after': '5' }), true);
    streams++;
    res.on('close', () => streams--);
    await run();
    return true;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
    const parts = url.pathname.split('/').slice(1);
    let decoded: string[];
    try {
      decoded = parts.map((p) => decodeURIComponent(p));
    } catch {
      return false;
    }
    if (url.pathname === '/') return list(res, url.searchParams).then(() => true);
    if (url.pathname === '/events') return stream(req, res, () => rows(req, res, url.searchParams));
    const asset = await readAsset(url.pathname);
    if (asset) return (sendPage(res, 200, asset.type, asset.body, { 'cache-control': 'no-cache' }), true);
    if (decoded[0] !== 'jobs' || !decoded[1]) return false;
    const name = decoded[1];
    if (decoded.length === 2) return job(res, name, url.searchParams).then(() => true);
    if (decoded.length === 3 && decoded[2] === 'log') {
      const attempt = Number(url.searchParams.get('attempt'));
      const from = Number(url.searchParams.get('from') ?? '0');
      if (!isPlainName(name) || !Number.isInteger(attempt) || attempt < 1 || !Number.isInteger(from) || from < 0)
        return (notFoundPage(res, 'No such log.'), true);
      return stream(req, res, () => streamLog(req, res, ctx.stateDir, name, attempt, from));
    }
    if (decoded.length === 5 && decoded[2] === 'outputs') return download(req, res, name, decoded[3]!, decoded[4]!).then(() => true);
    return (notFoundPage(res, 'No such page.'), true);
  };

  return { handle, close: () => index.close() };
}
