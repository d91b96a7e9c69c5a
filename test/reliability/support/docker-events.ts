import type Docker from 'dockerode';
import { LABELS } from '../../../src/backends/ports.js';
import { testDocker } from '../../support/docker.js';

/** Container lifecycle events the engine recorded for one job. */
export interface JobContainerEvents {
  create: number;
  start: number;
  destroy: number;
}

/**
 * Counts the engine's own `create`, `start` and `destroy` events of one controller instance's
 * containers between two times (seconds since the epoch), per job label: the ground truth of how
 * many times each driver really ran, whatever the controller believes.
 */
export async function containerEventsByJob(instance: string, sinceSec: number, untilSec: number, docker: Docker = testDocker()): Promise<Map<string, JobContainerEvents>> {
  const stream = await docker.getEvents({
    since: Math.floor(sinceSec),
    until: Math.ceil(untilSec),
    filters: JSON.stringify({ type: ['container'], label: [`${LABELS.instance}=${instance}`], event: ['create', 'start', 'destroy'] }),
  });
  let text = '';
  for await (const chunk of stream as AsyncIterable<Buffer | string>) text += chunk.toString();
  const out = new Map<string, JobContainerEvents>();
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const ev = JSON.parse(line) as { Action?: string; Actor?: { Attributes?: Record<string, string> } };
    const job = ev.Actor?.Attributes?.[LABELS.job] ?? '?';
    const counts = out.get(job) ?? { create: 0, start: 0, destroy: 0 };
    if (ev.Action === 'create' || ev.Action === 'start' || ev.Action === 'destroy') counts[ev.Action] += 1;
    out.set(job, counts);
  }
  return out;
}
