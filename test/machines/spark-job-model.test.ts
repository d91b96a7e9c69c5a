import { describe, expect, it } from 'vitest';
import { getAdjacencyMap } from 'xstate/graph';
import { initialTransition, transition, type AnyStateMachine, type SnapshotFrom } from 'xstate';
import { phaseOf, reasonOf } from '../../src/machines/project-status.js';
import { sparkJobMachine } from '../../src/machines/spark-job-machine.js';
import type { JobEvent } from '../../src/machines/types.js';
import { testJob } from './fake-actors.js';
import { EngineUnavailableError } from '../../src/backends/docker/errors.js';

type Snap = SnapshotFrom<typeof sparkJobMachine>;

const job = testJob({ restartPolicy: { type: 'OnFailure', onFailureRetries: 1, onSubmissionFailureRetries: 1 }, cache: { enabled: true } });
const other = testJob({ arguments: ['changed'], restartPolicy: { type: 'OnFailure', onFailureRetries: 1, onSubmissionFailureRetries: 1 } });
const retryable = Object.assign(new Error('engine hiccup'), { errorClass: 'retryable' });
const terminal = Object.assign(new Error('image missing'), { errorClass: 'terminal', reason: 'ImageNotPresent' });
const diskFull = Object.assign(new Error('state dir full'), { errorClass: 'waiting', reason: 'JournalUnavailable' });
const now = new Date().toISOString();

/** Every event the machine can receive: controller events, timers, and each actor's done and error. */
const allEvents = (): Array<JobEvent | { type: string; output?: unknown; error?: unknown }> => [
  { type: 'job.suspend' },
  { type: 'job.resume' },
  { type: 'job.delete' },
  { type: 'job.invalidate', message: 'bad' },
  { type: 'job.specChanged', spec: other.spec, specHash: 'h2' },
  { type: 'job.rerun', requestedAt: 'r1' },
  { type: 'deadline.start' },
  { type: 'deadline.active' },
  { type: 'retry.due' },
  { type: 'xstate.done.actor.lookupCache', output: null },
  { type: 'xstate.done.actor.lookupCache', output: { specHash: 'h', exitCode: 0, outputs: [] } },
  { type: 'xstate.error.actor.lookupCache', error: retryable },
  { type: 'xstate.done.actor.connectBackend', output: { backend: 'docker', version: '1.41' } },
  { type: 'xstate.error.actor.connectBackend', error: retryable },
  { type: 'xstate.error.actor.connectBackend', error: terminal },
  { type: 'xstate.done.actor.requestResources', output: { key: 'job-a/1', cpus: 1, memMiB: 1408 } },
  { type: 'xstate.error.actor.requestResources', error: retryable },
  { type: 'xstate.error.actor.requestResources', error: terminal },
  { type: 'xstate.done.actor.startDriver', output: { backend: 'docker', containerId: 'c1' } },
  { type: 'xstate.error.actor.startDriver', error: retryable },
  { type: 'xstate.done.actor.waitForDriver', output: { exitCode: 0, outcome: 'succeeded', finishedAt: now } },
  { type: 'xstate.done.actor.waitForDriver', output: { exitCode: 3, outcome: 'failed', finishedAt: now } },
  { type: 'xstate.done.actor.waitForDriver', output: { exitCode: null, outcome: 'lost', finishedAt: now } },
  { type: 'xstate.error.actor.waitForDriver', error: retryable },
  { type: 'xstate.error.actor.waitForDriver', error: new EngineUnavailableError('engine gone') },
  { type: 'xstate.error.actor.waitForDriver', error: diskFull },
  { type: 'reattach.settled' },
  { type: 'job.progress', message: 'asked for cpus 1; free: cpus 0' },
  { type: 'ttl.expired' },
  { type: 'xstate.done.actor.collectResults', output: { exitCode: 0, outputs: [] } },
  { type: 'xstate.error.actor.collectResults', error: retryable },
  { type: 'xstate.error.actor.collectResults', error: diskFull },
  { type: 'xstate.done.actor.releaseResources', output: undefined },
  { type: 'xstate.error.actor.releaseResources', error: retryable },
  { type: 'xstate.error.actor.releaseResources', error: diskFull },
];

const key = (s: Snap) => {
  const c = s.context;
  return JSON.stringify({
    v: s.value,
    st: s.status,
    r: c.reservation !== undefined,
    d: c.driver !== undefined,
    cause: c.releaseCause,
    next: c.nextSpec !== undefined,
    f: c.failure?.errorClass,
    fs: c.failure?.stage,
    ef: c.executionFailures,
    sf: c.submissionFailures,
    h: c.specHash,
    exit: c.exit?.outcome,
  });
};

const top = (s: Snap) => (typeof s.value === 'string' ? s.value : Object.keys(s.value)[0]!);
const ACQUIRING = new Set(['submitting', 'running', 'collecting', 'collectBackoff']);
const HOLDING_ALLOWED = new Set(['submitting', 'running', 'collecting', 'collectBackoff', 'releasing', 'releaseBackoff']);

describe('sparkJobMachine model', () => {
  // The graph helpers' types do not carry a machine's emitted events; the machine itself is unchanged.
  const map = getAdjacencyMap(sparkJobMachine as unknown as AnyStateMachine, {
    input: { name: 'job-a', spec: job.spec, specHash: 'h1' },
    events: allEvents as never,
    serializeState: (s) => key(s as Snap),
    limit: 200_000,
  });
  const edges = Object.values(map).flatMap((node) =>
    Object.values(node.transitions as Record<string, { event: unknown; state: unknown }>).map((t) => ({
      from: node.state as Snap,
      event: t.event as { type: string },
      to: t.state as Snap,
    })),
  );

  it('explores every state of the lifecycle', () => {
    const seen = new Set(Object.values(map).map((n) => top(n.state as Snap)));
    for (const s of [
      'pending',
      'submitting',
      'running',
      'collecting',
      'collectBackoff',
      'releasing',
      'releaseBackoff',
      'retrying',
      'succeeded',
      'failed',
      'suspended',
      'invalid',
      'deleted',
    ]) {
      expect(seen, s).toContain(s);
    }
  });

  it('every edge out of a state that may hold resources goes through releasing', () => {
    const bad = edges.filter((e) => ACQUIRING.has(top(e.from)) && !ACQUIRING.has(top(e.to)) && top(e.to) !== 'releasing');
    expect(bad.map((e) => `${key(e.from)} --${e.event.type}--> ${key(e.to)}`)).toEqual([]);
  });

  // Snapshots in status 'error' come only from feeding an actor's error to a state that never invoked it, which the runtime cannot do.
  it('no state outside the run and its release holds a reservation', () => {
    const holding = Object.values(map)
      .map((n) => n.state as Snap)
      .filter((s) => s.status !== 'error' && s.context.reservation !== undefined && !HOLDING_ALLOWED.has(top(s)));
    expect(holding.map(key)).toEqual([]);
  });

  it('a deleted job is final and was released first when it had acquired anything', () => {
    const intoDeleted = edges.filter((e) => top(e.to) === 'deleted');
    expect(intoDeleted.length).toBeGreaterThan(0);
    for (const e of intoDeleted) expect(ACQUIRING.has(top(e.from)), key(e.from)).toBe(false);
    const deleted = Object.values(map).find((n) => top(n.state as Snap) === 'deleted');
    expect((deleted?.state as Snap).status).toBe('done');
  });

  // The job registry records an event from these announcements only (it no longer diffs snapshots): none may be missing.
  it('announces (emit job.transitioned) every transition that changes the phase or reason a status shows', () => {
    const shown = (s: Snap) => `${phaseOf(s)}/${reasonOf(phaseOf(s), s.context)}`;
    const announces = (actions: ReadonlyArray<{ type: string; params?: unknown }>) =>
      actions.some((a) => a.type === 'xstate.emit' && (a.params as { event?: { type?: string } })?.event?.type === 'job.transitioned');
    const [first, atStart] = initialTransition(sparkJobMachine, { name: 'job-a', spec: job.spec, specHash: 'h1' });
    expect(shown(first)).toBe('Pending/Pending');
    expect(announces(atStart)).toBe(true);
    const silent: string[] = [];
    let checked = 0;
    for (const e of edges) {
      if (e.from.status !== 'active' || e.to.status !== 'active' || shown(e.to) === shown(e.from)) continue;
      const [next, actions] = transition(sparkJobMachine, e.from, e.event as never);
      expect(shown(next)).toBe(shown(e.to));
      checked++;
      if (!announces(actions as never)) silent.push(`${key(e.from)} --${e.event.type}--> ${shown(next)}`);
    }
    expect(checked).toBeGreaterThan(100);
    expect(silent).toEqual([]);
  });
});
