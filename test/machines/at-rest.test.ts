import { initialTransition } from 'xstate';
import { describe, expect, it } from 'vitest';
import { atRest, neverStarted, restingAtBirth, restingTransition } from '../../src/machines/at-rest.js';
import { phaseOf } from '../../src/machines/project-status.js';
import type { SparkJobMachine } from '../../src/machines/spark-job-machine.js';
import type { JobInput } from '../../src/machines/types.js';
import { machineWithFakes, testJob } from './fake-actors.js';

const machine = machineWithFakes({ calls: [] }) as unknown as SparkJobMachine;

/** Inputs that differ in everything a job's input carries. */
const inputs: JobInput[] = [
  { name: 'a', spec: testJob({ suspend: true }).spec, specHash: 'h1', suspended: true },
  {
    name: 'b-2',
    spec: testJob({ suspend: true, cache: { enabled: true } }).spec,
    specHash: 'h2',
    suspended: true,
    lastHandledRerunAt: '2025-01-01T00:00:00Z',
  },
  {
    name: 'c',
    spec: testJob({ suspend: true, timeToLiveSeconds: 5, restartPolicy: { type: 'Always' }, startDeadlineSeconds: 1 }).spec,
    specHash: 'h3',
    suspended: true,
  },
];

describe('jobs at rest, from the machine', () => {
  it.each(inputs)('the first step of a suspended job, resolved once and filled in, is the machine’s own first step ($name)', (input) => {
    const [own, actions] = initialTransition(machine, input);
    const birth = restingAtBirth(machine, input)!;
    expect(birth).toBeDefined();
    expect(birth.snapshot.value).toEqual(own.value);
    expect(birth.snapshot.context).toEqual(own.context);
    expect(machine.getPersistedSnapshot(birth.snapshot)).toEqual(machine.getPersistedSnapshot(own));
    expect(birth.announcements).toBe(actions.filter((a) => (a.type as string) === 'xstate.emit').length);
    expect(phaseOf(birth.snapshot)).toBe('Suspended');
  });

  it('a job that is not suspended does not rest at birth, and resuming one at rest needs an actor', () => {
    const input = { ...inputs[0]!, suspended: false };
    expect(restingAtBirth(machine, input)).toBeUndefined();
    expect(atRest(initialTransition(machine, input)[0])).toBe(false);
    const birth = restingAtBirth(machine, inputs[0]!)!;
    expect(restingTransition(machine, birth.snapshot, { type: 'job.resume' })).toBeUndefined();
    expect(restingTransition(machine, birth.snapshot, { type: 'job.delete' })?.snapshot.status).toBe('done');
    expect(restingTransition(machine, birth.snapshot, { type: 'job.invalidate', message: 'x' })?.announcements).toBe(1);
  });

  it('only a job that never started may lose its record', () => {
    const birth = restingAtBirth(machine, inputs[0]!)!;
    const ctx = birth.snapshot.context;
    expect(neverStarted(ctx, 'Suspended')).toBe(true);
    expect(neverStarted(ctx, 'Invalid')).toBe(true);
    expect(neverStarted({ ...ctx, attempt: 1 }, 'Suspended')).toBe(false);
    expect(neverStarted(ctx, 'Succeeded')).toBe(false);
    expect(neverStarted({ ...ctx, reservation: { key: 'k', cpus: 1, memMiB: 1 } }, 'Invalid')).toBe(false);
  });
});
