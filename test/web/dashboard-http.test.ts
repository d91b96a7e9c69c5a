import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyncStatus } from '../../src/gitops/sync-status.js';
import { ensureTestImages } from '../support/docker.js';
import { createHarness, fakeJob, phaseIs, waitForStatus, type Harness } from '../support/controller-harness.js';
import { hostile, HOSTILE_MARKUP, SECRET_VALUE, serveDashboard, type DashboardServer } from './dashboard-server.js';

const SUSPENDED = 130;

describe('dashboard pages over a real controller run (Docker engine)', () => {
  let h: Harness;
  let d: DashboardServer;
  const get = (path: string, init?: RequestInit) => fetch(`${d.url}${path}`, init);
  const text = async (path: string) => {
    const res = await get(path);
    return { res, body: await res.text() };
  };

  beforeAll(async () => {
    await ensureTestImages();
    h = await createHarness();
    await h.write(
      'pi.yaml',
      hostile(fakeJob('pi', `  sparkConf: {spark.fake.output: /tmp/result.txt}\n  outputs: [{name: result, path: /tmp/result.txt}]\n`)),
    );
    await h.write('broken.yaml', hostile(fakeJob('broken', `  sparkConf: {spark.fake.exitCode: "3"}\n`), '{team: ops}'));
    // A manifest too broken to name its job is listed under its file name: markup there too.
    await h.write(`${HOSTILE_MARKUP}.yaml`, 'apiVersion: sparkctl.io/v1alpha1\nkind: SparkJob\nmetadata: {}\n');
    for (let i = 0; i < SUSPENDED; i++)
      await h.write(`s${String(i).padStart(3, '0')}.yaml`, fakeJob(`s${String(i).padStart(3, '0')}`, '  suspend: true\n'));
    await h.start();
    await waitForStatus(join(h.jobsDir, 'pi.yaml'), phaseIs('Succeeded'));
    await waitForStatus(join(h.jobsDir, 'broken.yaml'), phaseIs('Failed'));
    await waitForStatus(join(h.jobsDir, 's129.yaml'), phaseIs('Suspended'));
    d = await serveDashboard(h);
  }, 120_000);
  afterAll(async () => {
    await d?.close();
    await h?.close();
  });

  it('serves / with a strict CSP, nosniff and no inline script or style', async () => {
    const { res, body } = await text('/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    for (const directive of ["default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(body).not.toMatch(/<script(?![^>]*\bsrc="\/static\/app\.js")/);
    // An attribute named style or on… in any tag (quoted attribute values skipped).
    expect(body).not.toMatch(/<style|<[a-z]+(\s+[a-z-]+(="[^"]*")?)*\s+(style|on[a-z]+)[\s=>]/i);
    expect(body).toContain('<caption>');
    expect(body).toContain('<th scope="col">Phase</th>');
    const js = await get('/static/app.js');
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await js.text()).toContain('EventSource');
    expect((await get('/static/app.css')).status).toBe(200);
    expect((await get('/static/../../package.json')).status).toBe(404);
  });

  it('lists the run with phases as colour class, icon and text; 100 per page; filters by phase and label in the query string', async () => {
    const { body } = await text('/');
    expect(body).toContain(`<caption>${SUSPENDED + 3} jobs, showing 1–100</caption>`);
    expect(body).toMatch(
      /<tr data-name="pi">[\s\S]*?phase-succeeded[\s\S]*?aria-hidden="true">✔<\/span> <span class="phase-text">Succeeded</,
    );
    expect(body).toMatch(/<tr data-name="broken">[\s\S]*?phase-failed[\s\S]*?<span class="phase-text">Failed</);
    expect(body.match(/<tr data-name=/g)).toHaveLength(100);
    expect(body).toContain('href="/?page=2" rel="next"');
    const page2 = (await text('/?page=2')).body;
    expect(page2.match(/<tr data-name=/g)).toHaveLength(SUSPENDED + 3 - 100);
    expect(page2).toContain('rel="prev"');
    const suspended = (await text('/?phase=Suspended&page=2')).body;
    expect(suspended).toContain(`<caption>${SUSPENDED} of ${SUSPENDED + 3} jobs, showing 101–${SUSPENDED}</caption>`);
    expect(suspended).toContain('<option value="Suspended" selected>');
    const geo = (await text('/?label=team%3Dgeo')).body;
    expect(geo.match(/<tr data-name="([^"]+)"/g)).toEqual(['<tr data-name="pi"']);
    const failedOps = (await text('/?phase=Failed&label=team%3Dops')).body;
    expect(failedOps.match(/<tr data-name="([^"]+)"/g)).toEqual(['<tr data-name="broken"']);
    const bad = (await text('/?label=%3Cb%3E%3D1&phase=%3Ci%3E')).body;
    expect(bad).toContain('role="alert"');
    expect(bad).not.toMatch(/<b>|<i>/);
  });

  it('escapes manifest markup everywhere and masks secret values like the CLI', async () => {
    const list = (await text('/')).body;
    expect(list).not.toContain(HOSTILE_MARKUP);
    expect(list).toContain('&lt;img src=x onerror=alert(1)&gt;.yaml');
    const { res, body } = await text('/jobs/pi');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(body).not.toContain(HOSTILE_MARKUP);
    expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(body).not.toContain(SECRET_VALUE);
    expect(body).toContain('TOKEN=******');
    const invalid = await text(`/jobs/${encodeURIComponent(`${HOSTILE_MARKUP}.yaml`)}`);
    expect(invalid.res.status).toBe(200);
    expect(invalid.body).not.toContain(HOSTILE_MARKUP);
    const missing = await text(`/jobs/${encodeURIComponent('<script>x</script>')}`);
    expect(missing.res.status).toBe(404);
    expect(missing.body).toContain('&lt;script&gt;x&lt;/script&gt;');
  });

  it('shows a job page with status, conditions, events, attempts, the driver log and its outputs', async () => {
    const { body } = await text('/jobs/pi');
    expect(body).toMatch(/id="job-phase"[^>]*><span class="phase phase-succeeded"/);
    expect(body).toMatch(/<table id="conditions">[\s\S]*?<td>Succeeded<\/td><td>True<\/td><td>Completed<\/td>/);
    expect(body).toMatch(/<table id="events">[\s\S]*?<td>Added<\/td>[\s\S]*?<td>Completed<\/td>/);
    expect(body).toContain('<a href="/jobs/pi?attempt=1#log" aria-current="true">Attempt 1</a>');
    expect(body).toMatch(/<pre id="log"[^>]*>[\s\S]*Pi is roughly/);
    expect(body).not.toContain('data-follow');
    expect(body).toContain('<a href="/jobs/pi/outputs/1/result" download>result</a>');
    const failed = (await text('/jobs/broken')).body;
    expect(failed).toMatch(/phase-failed/);
    expect(failed).toContain('code 3');
  });

  it('downloads an output as an attachment and refuses every path outside the outputs folder', async () => {
    const res = await get('/jobs/pi/outputs/1/result');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="result"');
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    expect(await res.text()).toContain('Pi is roughly');
    for (const path of [
      '/jobs/pi/outputs/1/..%2F..%2Fjob.json',
      '/jobs/pi/outputs/1/..%2F..%2F..%2F..%2Fjobs%2Fpi.yaml',
      '/jobs/pi/outputs/1/%2Fetc%2Fpasswd',
      '/jobs/pi/outputs/..%2F..%2Fpi/job.json',
      '/jobs/..%2Fpi/outputs/1/result',
      '/jobs/pi/outputs/0/result',
      '/jobs/pi/outputs/1/.result.partial',
      '/jobs/..%2F..%2Fjobs%2Fpi/log?attempt=1',
    ]) {
      const r = await get(path);
      expect(r.status, path).toBe(404);
      expect(await r.text(), path).not.toContain('Pi is roughly');
    }
  });

  it('shows the git sync state in the header: revision, time and last error (escaped)', async () => {
    expect((await text('/')).body).toContain('Jobs folder: not synced from git.');
    await writeSyncStatus(h.stateDir, {
      url: 'https://***@git.example/jobs.git',
      ref: 'main',
      path: '.',
      prune: false,
      revision: '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
      shortRevision: '1a2b3c4',
      syncedAt: '2026-01-02T03:04:05.000Z',
      lastAttemptAt: '2026-01-02T03:05:05.000Z',
      error: { reason: 'FetchFailed', message: 'fatal: <script>alert(1)</script> unreachable' },
      orphaned: [],
      invalid: [],
      pid: 1,
    });
    for (const path of ['/', '/jobs/pi']) {
      const { body } = await text(path);
      const header = body.slice(body.indexOf('<header>'), body.indexOf('</header>'));
      expect(header).toContain('<span class="revision">1a2b3c4</span>');
      expect(header).toContain('<time datetime="2026-01-02T03:04:05.000Z">');
      expect(header).toContain(
        'Last sync failed (FetchFailed, 2026-01-02T03:05:05.000Z): fatal: &lt;script&gt;alert(1)&lt;/script&gt; unreachable',
      );
      expect(header).not.toContain('<script>alert');
    }
  });

  it('streams only the rows that changed over /events (server-sent events)', async () => {
    const abort = new AbortController();
    const res = await get('/events', { signal: abort.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    try {
      // The stream is open before the change: a job added now is the one row sent.
      await h.write('late.yaml', fakeJob('late', '  suspend: true\n'));
      while (!/event: row\ndata: \{[^\n]*"name":"late"[^\n]*"phase":"Suspended"/.test(text)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`stream ended: ${text}`);
        text += decoder.decode(value, { stream: true });
      }
    } finally {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    }
    const names = [...text.matchAll(/^data: (\{.*\})$/gm)].map((m) => (JSON.parse(m[1]!) as { name: string }).name);
    expect(new Set(names)).toEqual(new Set(['late']));
    const row = [...text.matchAll(/^data: (\{.*\})$/gm)].map((m) => JSON.parse(m[1]!) as Record<string, unknown>).at(-1);
    expect(row).toMatchObject({ kind: 'SparkJob', name: 'late', phase: 'Suspended', icon: '‖', attempts: 0, backend: 'docker' });
  });

  it('replays to a stream the rows that changed between the page load and its subscription', async () => {
    const since = Number(/data-live="\/events\?since=(\d+)"/.exec((await text('/')).body)?.[1]);
    expect(since).toBeGreaterThan(0);
    await h.write('later.yaml', fakeJob('later', '  suspend: true\n'));
    // The index has loaded the change before the stream opens: a page opened at `since` would miss it otherwise.
    while (!(await text('/?phase=Suspended')).body.includes('data-name="later"')) await new Promise((r) => setTimeout(r, 50));
    const abort = new AbortController();
    const res = await get(`/events?since=${since}`, { signal: abort.signal });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let text2 = '';
    try {
      while (!text2.includes('"name":"later"')) {
        const { value, done } = await reader.read();
        if (done) break;
        text2 += decoder.decode(value, { stream: true });
      }
    } finally {
      abort.abort();
      await reader.cancel().catch(() => undefined);
    }
    expect(text2).toMatch(/event: row\ndata: \{[^\n]*"name":"later"/);
  });

  it('answers HEAD on live streams with headers only, and refuses streams beyond the limit', async () => {
    const head = await get('/events', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toContain('text/event-stream');
    const abort = new AbortController();
    const open = await Promise.all(Array.from({ length: 64 }, () => get('/events', { signal: abort.signal })));
    try {
      expect(open.every((r) => r.status === 200)).toBe(true);
      const refused = await get('/events');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
    } finally {
      abort.abort();
      await Promise.all(open.map((r) => r.body?.cancel().catch(() => undefined)));
    }
  });

  it('is read-only: GET and HEAD only', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) expect((await get('/jobs/pi', { method })).status, method).toBe(405);
    const head = await get('/', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });
});
