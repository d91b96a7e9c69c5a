import { mkdir, mkdtemp, readFile, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import { RERUN_ANNOTATION, SparkJobSchema, type SparkJob } from '../../src/api/spark-job.js';
import type { Phase, SparkJobStatus } from '../../src/api/status.js';
import { JobRegistry, type JobMachine } from '../../src/controller/job-registry.js';
import { JobsRoot } from '../../src/controller/jobs-root.js';
import { OwnWrites } from '../../src/controller/own-writes.js';
import { RACY_MARGIN_MS, ReadKeys } from '../../src/controller/read-keys.js';
import type { ReconcileContext, ReconcileStep } from '../../src/controller/reconcile-context.js';
import { RECONCILE_STEPS, reconcile, steer } from '../../src/controller/reconcile-steps.js';
import { duplicateNameStatus } from '../../src/manifest/check-unique-names.js';
import { createLogger } from '../../src/logger.js';
import { runHash } from '../../src/manifest/run-hash.js';
import { DEFAULT_POLICY } from '../../src/policy/policy.js';
import { Journal } from '../../src/state/journal.js';
import { readJobEvents } from '../../src/state/read-journal.js';
import { machineWithFakes } from '../machines/fake-actors.js';
import { mtimeNsOf, setMtimeNs } from '../support/set-mtime.js';

const job = (spec: Record<string, unknown> = {}, annotations: Record<string, string> = {}): SparkJob =>
  SparkJobSchema.parse({
    apiVersion: 'sparkctl.io/v1alpha1',
    kind: 'SparkJob',
    metadata: { name: 'job-a', annotations },
    spec: { image: 'img', mainApplicationFile: 'local:///app.jar', mainClass: 'Main', ...spec },
  });

/** A stand-in actor in a phase: records the events it is sent; a spec change puts it back in Pending, as the machine does. */
function fakeActor(phase: Phase, context: Record<string, unknown>) {
  const sent: string[] = [];
  let snap = { phase, context, hasTag: (t: string) => t === snap.phase };
  return {
    sent,
    getSnapshot: () => snap,
    send: (ev: { type: string; specHash?: string }) => {
      sent.push(ev.type);
      if (ev.type === 'job.specChanged')
        snap = { phase: 'Pending', context: { ...snap.context, specHash: ev.specHash }, hasTag: (t: string) => t === 'Pending' };
    },
  };
}

describe('steer: manifest + actor state → the events that close the gap', () => {
  const HASH = 'h1';
  it.each([
    {
      what: 'a policy violation invalidates a running job',
      job: job(),
      phase: 'Running',
      ctx: {},
      violation: 'spec.network: no',
      want: ['job.invalidate'],
    },
    {
      what: 'the same violation on an Invalid job sends nothing',
      job: job(),
      phase: 'Invalid',
      ctx: { message: 'spec.network: no' },
      violation: 'spec.network: no',
      want: [],
    },
    {
      what: 'a new spec hash changes the spec',
      job: job(),
      phase: 'Running',
      ctx: { specHash: 'old' },
      violation: '',
      want: ['job.specChanged'],
    },
    { what: 'the same spec sends nothing', job: job(), phase: 'Running', ctx: { specHash: HASH }, violation: '', want: [] },
    {
      what: 'a valid spec brings an Invalid job back',
      job: job(),
      phase: 'Invalid',
      ctx: { specHash: HASH },
      violation: '',
      want: ['job.specChanged'],
    },
    {
      what: 'suspend: true suspends a running job',
      job: job({ suspend: true }),
      phase: 'Running',
      ctx: { specHash: HASH },
      violation: '',
      want: ['job.suspend'],
    },
    {
      what: 'suspend: true leaves a finished job alone',
      job: job({ suspend: true }),
      phase: 'Succeeded',
      ctx: { specHash: HASH },
      violation: '',
      want: [],
    },
    {
      what: 'suspend: false resumes a suspended job',
      job: job(),
      phase: 'Suspended',
      ctx: { specHash: HASH },
      violation: '',
      want: ['job.resume'],
    },
    {
      what: 'a new rerun annotation reruns',
      job: job({}, { [RERUN_ANNOTATION]: 't2' }),
      phase: 'Succeeded',
      ctx: { specHash: HASH, lastHandledRerunAt: 't1' },
      violation: '',
      want: ['job.rerun'],
    },
    {
      what: 'a handled rerun annotation does not',
      job: job({}, { [RERUN_ANNOTATION]: 't1' }),
      phase: 'Succeeded',
      ctx: { specHash: HASH, lastHandledRerunAt: 't1' },
      violation: '',
      want: [],
    },
    {
      what: 'a suspended job is not rerun',
      job: job({ suspend: true }, { [RERUN_ANNOTATION]: 't2' }),
      phase: 'Suspended',
      ctx: { specHash: HASH },
      violation: '',
      want: [],
    },
  ])('$what', ({ job: j, phase, ctx, violation, want }) => {
    const actor = fakeActor(phase as Phase, ctx);
    steer(actor as unknown as Parameters<typeof steer>[0], j, violation, HASH);
    expect(actor.sent).toEqual(want);
  });
});

const manifest = (name: string, extra = '') => `apiVersion: sparkctl.io/v1alpha1
kind: SparkJob
metadata:
  name: ${name}
spec:
  image: img
  mainApplicationFile: local:///app.jar
  mainClass: Main
${extra}`;

describe('reconcile steps over a jobs folder (fake actors, no engine)', () => {
  let root: string | undefined;
  afterEach(async () => {
    if (root) await rm(root, { recursive: true, force: true });
    root = undefined;
  });

  async function setup() {
    root = await mkdtemp(join(tmpdir(), 'sparkctl-steps-'));
    const jobsDir = join(root, 'jobs');
    await mkdir(jobsDir);
    const journal = new Journal(join(root, 'state'));
    await journal.init();
    const requeued: string[] = [];
    const logger = createLogger({ level: 'silent' });
    const registry = new JobRegistry(machineWithFakes({ calls: [] }, { waitForever: true }) as unknown as JobMachine, {
      journal,
      logger,
      requeue: (f) => requeued.push(f),
      released: (f) => requeued.push(f),
      changed: () => undefined,
      stopped: () => false,
    });
    const ctx: ReconcileContext = {
      jobsDir,
      registry,
      seen: new Map(),
      log: logger,
      policy: DEFAULT_POLICY,
      env: {},
      missingGraceMs: 0,
      requeue: (f) => requeued.push(f),
      changed: () => undefined,
      runHash: (spec) => runHash(spec, undefined),
    };
    const ran: string[] = [];
    const names = ['read', 'skip-unchanged', 'parse', 'check-policy', 'claim-name', 'steer', 'write-status'];
    const steps: ReconcileStep[] = RECONCILE_STEPS.map((step, i) => (run, c) => (ran.push(names[i]!), step(run, c)));
    const put = (file: string, text: string) => writeFile(join(jobsDir, file), text);
    const statusIn = async (file: string) => (parse(await readFile(join(jobsDir, file), 'utf8')) as { status?: SparkJobStatus }).status;
    const run = async (file: string) => {
      ran.length = 0;
      await reconcile(file, ctx, steps);
      return [...ran];
    };
    return { ctx, registry, journal, put, statusIn, run, stop: () => [...registry.all()].forEach((e) => e.actor.stop()) };
  }

  const stalled = (s: SparkJobStatus | undefined) => s?.conditions.find((c) => c.type === 'Stalled' && c.status === 'True');

  it.each([
    {
      what: 'a new valid manifest starts a job, suspended as asked, and its status is written back',
      files: { 'a.yaml': manifest('a', '  suspend: true\n') },
      before: [] as string[],
      file: 'a.yaml',
      steps: ['read', 'skip-unchanged', 'parse', 'check-policy', 'claim-name', 'steer', 'write-status'],
      phase: 'Suspended',
      stalled: undefined as string | undefined,
    },
    {
      what: 'a manifest that does not validate is Invalid, Stalled=InvalidSpec naming the field',
      files: { 'a.yaml': manifest('a', '  driver: {cores: many}\n') },
      before: [],
      file: 'a.yaml',
      steps: ['read', 'skip-unchanged', 'parse'],
      phase: 'Invalid',
      stalled: 'InvalidSpec:spec.driver.cores',
    },
    {
      what: 'a name another file holds is Invalid with the duplicate-name message',
      files: { 'a.yaml': manifest('a', '  suspend: true\n'), 'b.yaml': manifest('a', '  suspend: true\n') },
      before: ['a.yaml'],
      file: 'b.yaml',
      steps: ['read', 'skip-unchanged', 'parse', 'check-policy', 'claim-name'],
      phase: 'Invalid',
      stalled: `InvalidSpec:${duplicateNameStatus('a', 'a.yaml')}`,
    },
    {
      what: 'a spec the policy refuses makes the job Invalid with reason PolicyViolation',
      files: { 'a.yaml': manifest('a', '  network: host\n') },
      before: [],
      file: 'a.yaml',
      steps: ['read', 'skip-unchanged', 'parse', 'check-policy', 'claim-name', 'steer', 'write-status'],
      phase: 'Invalid',
      stalled: 'PolicyViolation:--allow-host-network',
    },
    {
      what: 'an unchanged file whose status is written stops after skip-unchanged',
      files: { 'a.yaml': manifest('a', '  suspend: true\n') },
      before: ['a.yaml'],
      file: 'a.yaml',
      steps: ['read', 'skip-unchanged'],
      phase: 'Suspended',
      stalled: undefined,
    },
    {
      what: 'a file that is gone releases its job and stops after read',
      files: {},
      before: [],
      file: 'gone.yaml',
      steps: ['read'],
      phase: undefined,
      stalled: undefined,
    },
  ])('$what', async ({ files, before, file, steps, phase, stalled: want }) => {
    const t = await setup();
    try {
      for (const [f, text] of Object.entries(files)) await t.put(f, text);
      for (const f of before) await t.run(f);
      expect(await t.run(file)).toEqual(steps);
      const status = phase === undefined ? undefined : await t.statusIn(file);
      expect(status?.phase).toBe(phase);
      const cond = stalled(status);
      if (want === undefined) expect(cond).toBeUndefined();
      else {
        const [reason, text] = want.split(/:(.*)/s);
        expect(cond?.reason).toBe(reason);
        expect(cond?.message).toContain(text);
      }
    } finally {
      t.stop();
    }
  });

  it('an invalid revision of a known job keeps the job and its phase; Stalled=InvalidSpec; a valid revision clears it', async () => {
    const t = await setup();
    try {
      await t.put('a.yaml', manifest('a', '  suspend: true\n'));
      await t.run('a.yaml');
      await t.put('a.yaml', manifest('a', '  suspend: true\n  driver: {cores: many}\n'));
      expect(await t.run('a.yaml')).toEqual(['read', 'skip-unchanged', 'parse']);
      const kept = await t.statusIn('a.yaml');
      expect(kept?.phase).toBe('Suspended');
      expect(stalled(kept)?.reason).toBe('InvalidSpec');
      expect(t.registry.get('a')?.invalidRevision).toContain('spec.driver.cores');
      await t.put('a.yaml', manifest('a', '  suspend: true\n'));
      await t.run('a.yaml');
      expect(stalled(await t.statusIn('a.yaml'))).toBeUndefined();
      await t.journal.flush();
      expect((await readJobEvents(t.journal.stateDir, 'a')).map((e) => e.reason)).toEqual(
        expect.arrayContaining(['Added', 'InvalidSpec', 'SpecValid']),
      );
    } finally {
      t.stop();
    }
  });

  it("the event of the controller's own status write costs no read; any other event for the file reads it again", async () => {
    const t = await setup();
    const ownWrites = new OwnWrites();
    const ctx: ReconcileContext = { ...t.ctx, ownWrites };
    const file = join(t.ctx.jobsDir, 'a.yaml');
    // Content the reconcile would find invalid, put in place with the key of the controller's write (same inode, size and mtime).
    const spoil = async () => {
      const [size, mtime] = [(await stat(file)).size, await mtimeNsOf(file)];
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace('mainClass: Main', 'mainClass: [1]'.padEnd('mainClass: Main'.length)));
      await setMtimeNs(file, mtime);
      expect((await stat(file)).size).toBe(size);
    };
    try {
      await t.put('a.yaml', manifest('a', '  suspend: true\n'));
      await reconcile('a.yaml', ctx);
      expect((await t.statusIn('a.yaml'))?.phase).toBe('Suspended');
      expect(ownWrites.size).toBe(1);
      // The watcher reports the write's own rename: recognised by its key, the file is not read.
      ownWrites.event('a.yaml', 'rename');
      await spoil();
      await reconcile('a.yaml', ctx);
      expect(ownWrites.size).toBe(0);
      expect(t.registry.get('a')?.invalidRevision).toBeUndefined();
      // Recognised once: the next look (a relist) reads the file and finds the change.
      await reconcile('a.yaml', ctx);
      expect(t.registry.get('a')?.invalidRevision).toBeDefined();
    } finally {
      t.stop();
    }
  });

  it('a change the watcher reports after the own write is read even when it keeps size and mtime', async () => {
    const t = await setup();
    const ownWrites = new OwnWrites();
    const ctx: ReconcileContext = { ...t.ctx, ownWrites };
    const file = join(t.ctx.jobsDir, 'a.yaml');
    try {
      await t.put('a.yaml', manifest('a', '  suspend: true\n'));
      await reconcile('a.yaml', ctx);
      const mtime = await mtimeNsOf(file);
      ownWrites.event('a.yaml', 'rename');
      // An in-place save in the same clock tick, same size: only its `change` event tells it apart.
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace('mainClass: Main', 'mainClass: [1]'.padEnd('mainClass: Main'.length)));
      await setMtimeNs(file, mtime);
      ownWrites.event('a.yaml', 'change');
      await reconcile('a.yaml', ctx);
      expect(t.registry.get('a')?.invalidRevision).toBeDefined();
    } finally {
      t.stop();
    }
  });

  describe('relists skip files whose key is that of their last reconciled read', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    /** Reconciles as a relist would (or after an event); tells whether the file was read. */
    async function relistOnce(t: Awaited<ReturnType<typeof setup>>, ctx: ReconcileContext, readKeys: ReadKeys, event = false) {
      readKeys.markRelisted('a.yaml');
      if (event) readKeys.event('a.yaml');
      let read = false;
      const steps = RECONCILE_STEPS.map((step, i): ReconcileStep => async (run, c) => {
        const res = await step(run, c);
        if (i === 0) read = run.read !== undefined;
        return res;
      });
      await reconcile('a.yaml', ctx, steps);
      return read;
    }
    /** Changes the file in place keeping its size and mtime: only its change time tells (a missed event). */
    async function spoilKeepingSizeAndMtime(file: string) {
      const [size, mtime] = [(await stat(file)).size, await mtimeNsOf(file)];
      const text = await readFile(file, 'utf8');
      await writeFile(file, text.replace('mainClass: Main', 'mainClass: [1]'.padEnd('mainClass: Main'.length)));
      await setMtimeNs(file, mtime);
      expect((await stat(file)).size).toBe(size);
    }
    /** Moves the clock the read compares change times with past the racily-clean margin. */
    const later = () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(Date.now() + RACY_MARGIN_MS + 1_000);
    };
    /** A suspended job in a.yaml, reconciled once, with a relist key store in its context. */
    async function reconciledWithKeys() {
      const t = await setup();
      const readKeys = new ReadKeys();
      const ctx: ReconcileContext = { ...t.ctx, readKeys };
      await t.put('a.yaml', manifest('a', '  suspend: true\n'));
      await reconcile('a.yaml', ctx);
      return { t, readKeys, ctx };
    }

    it('an unchanged file costs an lstat; a change found by its key is read without any event', async () => {
      const { t, readKeys, ctx } = await reconciledWithKeys();
      const file = join(t.ctx.jobsDir, 'a.yaml');
      try {
        expect((await t.statusIn('a.yaml'))?.phase).toBe('Suspended');
        later();
        // The content last reconciled is the controller's own write, never read: the first relist reads it.
        expect(await relistOnce(t, ctx, readKeys)).toBe(true);
        expect(readKeys.size).toBe(1);
        expect(await relistOnce(t, ctx, readKeys)).toBe(false);
        expect(await relistOnce(t, ctx, readKeys)).toBe(false);
        // A watch event makes the next reconcile a read, whatever the relist said.
        expect(await relistOnce(t, ctx, readKeys, true)).toBe(true);
        expect(t.registry.get('a')?.invalidRevision).toBeUndefined();
        await spoilKeepingSizeAndMtime(file);
        expect(await relistOnce(t, ctx, readKeys)).toBe(true);
        expect(t.registry.get('a')?.invalidRevision).toBeDefined();
      } finally {
        t.stop();
      }
    });

    it('a read within the racily-clean margin of the change time is not trusted: the next relist reads again', async () => {
      const { t, readKeys, ctx } = await reconciledWithKeys();
      try {
        expect(await relistOnce(t, ctx, readKeys)).toBe(true);
        expect(readKeys.size).toBe(0);
        expect(await relistOnce(t, ctx, readKeys)).toBe(true);
        // The same edit in the same tick as the read would have kept the key: only a later read counts.
        await spoilKeepingSizeAndMtime(join(t.ctx.jobsDir, 'a.yaml'));
        expect(await relistOnce(t, ctx, readKeys)).toBe(true);
        expect(t.registry.get('a')?.invalidRevision).toBeDefined();
      } finally {
        t.stop();
      }
    });

    it("a job whose status differs from the file's is read and written even when the key is unchanged", async () => {
      const { t, readKeys, ctx } = await reconciledWithKeys();
      try {
        later();
        expect(await relistOnce(t, ctx, readKeys)).toBe(true);
        expect(await relistOnce(t, ctx, readKeys)).toBe(false);
        t.registry.get('a')!.fileStatusKey = 'another status';
        expect(await relistOnce(t, ctx, readKeys)).toBe(true);
      } finally {
        t.stop();
      }
    });
  });

  it('a cached jobs folder root is resolved again when a file is not found under it (the folder is a link a sync flipped)', async () => {
    const t = await setup();
    const base = dirname(t.ctx.jobsDir);
    const [revA, revB, link] = [join(base, 'rev-a'), join(base, 'rev-b'), join(base, 'current')];
    await mkdir(revA);
    await mkdir(revB);
    await writeFile(join(revA, 'a.yaml'), manifest('a', '  suspend: true\n'));
    await writeFile(join(revB, 'b.yaml'), manifest('b', '  suspend: true\n'));
    await symlink(revA, link);
    const jobsRoot = new JobsRoot(link);
    const ctx: ReconcileContext = { ...t.ctx, jobsDir: link, jobsRoot };
    try {
      await reconcile('a.yaml', ctx);
      expect(await jobsRoot.current()).toBe(await realpath(revA));
      await symlink(revB, `${link}.new`);
      await rename(`${link}.new`, link);
      await reconcile('b.yaml', ctx);
      expect(await jobsRoot.current()).toBe(await realpath(revB));
      expect(t.registry.get('b')).toBeDefined();
      const written = parse(await readFile(join(revB, 'b.yaml'), 'utf8')) as { status?: SparkJobStatus };
      expect(written.status?.phase).toBe('Suspended');
    } finally {
      t.stop();
    }
  });
});
