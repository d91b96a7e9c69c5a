import { createServer } from 'node:net';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureTestImages } from '../support/docker.js';
import { createWorkspace, ensureBuilt, fakeJob, type Workspace } from '../e2e/support/cli.js';

/** A free loopback port (bound then released). */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

describe('sparkctl controller --metrics-addr serves the dashboard from the built package', () => {
  let ws: Workspace | undefined;
  beforeAll(async () => {
    ensureBuilt();
    await ensureTestImages();
  });
  afterEach(async () => {
    await ws?.close();
    ws = undefined;
  });

  it('answers / and /jobs/NAME with the run, and /static/app.js from dist/', async () => {
    ws = await createWorkspace();
    await ws.write(
      'pi.yaml',
      fakeJob('pi', '  sparkConf: {spark.fake.output: /tmp/r.txt}\n  outputs: [{name: result, path: /tmp/r.txt}]\n'),
    );
    const port = await freePort();
    const ctl = ws.start(['controller', '--relist-interval', '1s', '--metrics-addr', `127.0.0.1:${port}`]);
    await ctl.waitFor(/Started controller/, { stream: 'stderr' });
    const waited = await ws.run(['wait', 'pi', '--for', 'condition=Succeeded', '--timeout', '60s']);
    expect(waited.code, waited.stderr).toBe(0);
    const base = `http://127.0.0.1:${port}`;
    const list = await fetch(`${base}/`);
    expect(list.status).toBe(200);
    expect(list.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await list.text()).toMatch(
      /<tr data-name="pi">[\s\S]*?<span class="phase-text">(Succeeded|Pending|Running|Collecting|Releasing)</,
    );
    const page = await (await fetch(`${base}/jobs/pi`)).text();
    expect(page).toContain('<a href="/jobs/pi/outputs/1/result" download>result</a>');
    for (const asset of ['/static/app.js', '/static/app.css', '/static/favicon.svg'])
      expect((await fetch(`${base}${asset}`)).status, asset).toBe(200);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/nothing-here`)).status).toBe(404);
  });
});
