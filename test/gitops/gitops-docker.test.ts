import { readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GitSyncer } from '../../src/gitops/git-syncer.js';
import { silentLogger } from '../../src/logger.js';
import { createHarness, fakeJob, phaseIs, readFileStatus, waitForStatus, type Harness } from '../support/controller-harness.js';
import { ensureTestImages, testDocker } from '../support/docker.js';
import { startGitDaemon, startSmartHttp, type LoopbackServer } from '../support/git-servers.js';
import { createTestRemote, type TestRemote } from './git-remote.js';

const managed = async (instance: string) =>
  testDocker().listContainers({ all: true, filters: { label: [`io.sparkctl.instance=${instance}`] } });

async function until(check: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting until ${what}`);
}

const resultJob = (name: string, text: string) =>
  fakeJob(
    name,
    `  sparkConf: {spark.fake.sleepSeconds: "1", spark.fake.output: /tmp/r.txt, spark.fake.outputText: ${text}}\n  outputs: [{name: result, path: /tmp/r.txt}]\n`,
  );
const longJob = (name: string) => fakeJob(name, `  sparkConf: {spark.fake.sleepSeconds: "60"}\n`);

describe('git-synced jobs folder with the controller on the real Docker engine', () => {
  let remote: TestRemote | undefined;
  let h: Harness | undefined;
  let syncer: GitSyncer | undefined;
  let server: LoopbackServer | undefined;
  beforeAll(async () => {
    await ensureTestImages();
  });
  afterEach(async () => {
    await syncer?.stop();
    await h?.close();
    await server?.close();
    server = undefined;
    await remote?.close();
    syncer = undefined;
    h = undefined;
    remote = undefined;
  });

  /** A controller whose jobs folder is synced from `remote` every 200 ms. */
  async function start(options: { prune?: boolean; intervalMs?: number; url?: string } = {}): Promise<{ h: Harness; syncer: GitSyncer }> {
    h = await createHarness();
    syncer = new GitSyncer({
      url: options.url ?? remote!.url,
      ref: 'main',
      path: 'jobs',
      intervalMs: options.intervalMs ?? 200,
      prune: options.prune ?? false,
      jobsDir: h.jobsDir,
      stateDir: h.stateDir,
      logger: silentLogger(),
    });
    await syncer.prepare();
    const controller = await h.start();
    syncer.start(() => controller.relist());
    return { h, syncer };
  }

  it('runs a committed manifest to Succeeded with its status in the local file, and reruns it when its spec changes in git', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/pi.yaml': resultJob('pi', 'first') });
    const { h } = await start();
    const file = join(h.jobsDir, 'pi.yaml');
    const first = await waitForStatus(file, phaseIs('Succeeded'));
    expect(await readFile(first.results!.outputs[0]!.path, 'utf8')).toContain('first');
    expect(await readFile(file, 'utf8')).toMatch(/^status:\n {2}phase: Succeeded$/m);

    const second = await remote.commit({ 'jobs/pi.yaml': resultJob('pi', 'second') });
    const rerun = await waitForStatus(file, (s) => s.phase === 'Succeeded' && s.observedSpecHash !== first.observedSpecHash);
    expect(await readFile(rerun.results!.outputs[0]!.path, 'utf8')).toContain('second');
    expect(syncer!.status?.revision).toBe(second);
    expect(await managed(h.instance)).toHaveLength(0);
  });

  it('with --prune, removing a manifest from git stops and removes its running container', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/long.yaml': longJob('long'), 'jobs/other.yaml': fakeJob('other') });
    const { h, syncer } = await start({ prune: true, intervalMs: 60_000 });
    await waitForStatus(join(h.jobsDir, 'long.yaml'), phaseIs('Running'));
    await waitForStatus(join(h.jobsDir, 'other.yaml'), phaseIs('Succeeded'));
    expect((await managed(h.instance)).filter((c) => c.State === 'running').map((c) => c.Labels['io.sparkctl.job'])).toEqual(['long']);
    await remote.commit({ 'jobs/long.yaml': null });
    const status = await syncer.syncNow();
    expect(status.orphaned).toEqual([]);
    await until(async () => (await managed(h.instance)).length === 0, 'the pruned job released its container');
    expect((await readFileStatus(join(h.jobsDir, 'other.yaml')))?.phase).toBe('Succeeded');
    expect(await readFileStatus(join(h.jobsDir, 'long.yaml'))).toBeUndefined();
  });

  it('without --prune, a manifest removed from git keeps its job running and is reported as orphaned', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/long.yaml': longJob('long') });
    const { h, syncer } = await start({ intervalMs: 60_000 });
    const file = join(h.jobsDir, 'long.yaml');
    await waitForStatus(file, phaseIs('Running'));
    const [before] = await managed(h.instance);
    await remote.commit({ 'jobs/long.yaml': null, 'jobs/other.yaml': fakeJob('other') });
    const status = await syncer.syncNow();
    expect(status.orphaned).toEqual(['long.yaml']);
    await waitForStatus(join(h.jobsDir, 'other.yaml'), phaseIs('Succeeded'));
    expect((await readFileStatus(file))?.phase).toBe('Running');
    const running = (await managed(h.instance)).filter((c) => c.State === 'running');
    expect(running.map((c) => c.Id)).toEqual([before!.Id]);
  });

  /** A real server on loopback in front of the test remote: git daemon (git://) or smart HTTP with Basic auth. */
  async function serve(kind: 'daemon' | 'http'): Promise<string> {
    if (kind === 'daemon') {
      server = await startGitDaemon(remote!.root);
      return `git://127.0.0.1:${server.port}/remote.git`;
    }
    server = await startSmartHttp({ root: remote!.root, username: 'deploy', password: 'pw-move-test' });
    return `http://deploy:pw-move-test@127.0.0.1:${server.port}/remote.git`;
  }

  it.each([
    [false, 'daemon'],
    [true, 'http'],
  ] as const)(
    'git mv of a running manifest (prune %s, %s server) keeps the run, leaves no orphan, and later edits in git apply',
    async (prune, kind) => {
      remote = await createTestRemote();
      await remote.commit({ 'jobs/long.yaml': longJob('long') });
      const { h, syncer } = await start({ prune, intervalMs: 60_000, url: await serve(kind) });
      const running = await waitForStatus(join(h.jobsDir, 'long.yaml'), phaseIs('Running'));
      await remote.commit({ 'jobs/long.yaml': null, 'jobs/team/long.yaml': longJob('long') }, 'git mv long.yaml team/');
      const status = await syncer.syncNow();
      expect(status.orphaned).toEqual([]);
      expect(status.invalid).toEqual([]);
      const moved = join(h.jobsDir, 'team', 'long.yaml');
      const kept = await waitForStatus(moved, phaseIs('Running'));
      expect(kept.driver?.containerId).toBe(running.driver?.containerId);
      expect((await managed(h.instance)).map((c) => c.Id)).toEqual([running.driver?.containerId]);
      // The moved file is the job's manifest now: an edit there is applied.
      await remote.commit({ 'jobs/team/long.yaml': fakeJob('long') });
      await syncer.syncNow();
      const rerun = await waitForStatus(moved, (s) => s.phase === 'Succeeded' && s.observedSpecHash !== running.observedSpecHash, 45_000);
      expect(rerun.driver?.containerId).not.toBe(running.driver?.containerId);
    },
    90_000,
  );

  it('an invalid revision in a commit keeps the running job on its last valid spec, says why, and the next valid revision is followed (git daemon)', async () => {
    remote = await createTestRemote();
    await remote.commit({ 'jobs/long.yaml': longJob('long') });
    const { h, syncer } = await start({ intervalMs: 60_000, url: await serve('daemon') });
    const file = join(h.jobsDir, 'long.yaml');
    const running = await waitForStatus(file, phaseIs('Running'));
    await remote.commit({ 'jobs/long.yaml': longJob('long').replace('  arguments: ["10"]', '  arguments: ["10"]\n  unknownField: true') });
    const status = await syncer.syncNow();
    expect(status.invalid).toEqual(['long.yaml']);
    const kept = await waitForStatus(file, (s) =>
      s.conditions.some((c) => c.type === 'Stalled' && c.status === 'True' && c.reason === 'InvalidSpec'),
    );
    expect(kept.phase).toBe('Running');
    expect(kept.message).toMatch(/unknownField/);
    expect((await managed(h.instance)).map((c) => c.Id)).toEqual([running.driver?.containerId]);
    await remote.commit({ 'jobs/long.yaml': fakeJob('long') });
    await syncer.syncNow();
    const next = await waitForStatus(file, (s) => s.phase === 'Succeeded' && s.observedSpecHash !== running.observedSpecHash, 45_000);
    expect(next.conditions.find((c) => c.type === 'Stalled')?.status).toBe('False');
  }, 90_000);

  it('a sync landing mid-run, a force-push, a deleted branch and an unreachable remote neither lose the status nor restart the job', async () => {
    remote = await createTestRemote();
    const base = await remote.commit({ 'jobs/long.yaml': longJob('long') });
    const { h, syncer } = await start({ intervalMs: 60_000 });
    const file = join(h.jobsDir, 'long.yaml');
    const running = await waitForStatus(file, phaseIs('Running'));
    const [container] = await managed(h.instance);
    const unchanged = async () => {
      const s = await readFileStatus(file);
      expect(s?.phase).toBe('Running');
      expect(s?.executionAttempts).toBe(running.executionAttempts);
      expect(s?.observedSpecHash).toBe(running.observedSpecHash);
      const now = await managed(h.instance);
      expect(now.map((c) => [c.Id, c.State, c.Labels['io.sparkctl.attempt']])).toEqual([[container!.Id, 'running', '1']]);
    };

    const readme = await remote.commit({ 'jobs/README.md': 'Jobs of the geo team\n', 'docs/x.md': 'x\n' });
    const landed = await syncer.syncNow();
    expect(landed.revision).toBe(readme);
    await unchanged();

    await remote.resetTo(base);
    const forced = await remote.commit({ 'jobs/notes.txt': 'rewritten\n' }, 'Rewrite history', { force: true });
    const afterForce = await syncer.syncNow();
    expect(afterForce.error).toBeUndefined();
    expect(afterForce.revision).toBe(forced);
    expect(afterForce.historyRewritten).toEqual({ from: readme });
    await unchanged();

    await remote.gitBare('config', 'receive.denyDeleteCurrent', 'ignore');
    await remote.git('push', '--quiet', 'origin', ':refs/heads/main');
    const noBranch = await syncer.syncNow();
    expect(noBranch.error?.reason).toBe('RefNotFound');
    expect(noBranch.revision).toBe(forced);
    await unchanged();

    await rename(remote.bare, `${remote.bare}.away`);
    const unreachable = await syncer.syncNow();
    expect(unreachable.error?.reason).toBe('FetchFailed');
    expect(unreachable.revision).toBe(forced);
    await new Promise((r) => setTimeout(r, 1_500));
    await unchanged();
    await rename(`${remote.bare}.away`, remote.bare);
  });
});
