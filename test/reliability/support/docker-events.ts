import type Docker from 'dockerode';
import { LABELS } from '../../../src/backends/ports.js';
import { testDocker } from '../../support/docker.js';

/** Container lifecycle events the engine recorded for one job. */
export interface JobContainerEvents {
  create: number;
  start: number;
  destroy: number;
}

/** A live recording of one instance's container events, from now until stop(). */
export interface ContainerEventRecorder {
  /** Ends the recording and counts what the engine reported, per job label. */
  stop(): Promise<Map<string, JobContainerEvents>>;
}

/**
 * Starts recording an instance's container events as they happen. The engine keeps only a short
 * in-memory history of events, so a busy engine can drop older ones before a query after the
 * fact; a live stream sees every one.
 */
export async function recordContainerEvents(instance: string, docker: Docker = testDocker()): Promise<ContainerEventRecorder> {
  const stream = (await docker.getEvents({
    filters: JSON.stringify({ type: ['container'], label: [`${LABELS.instance}=${instance}`], event: ['create', 'start', 'destroy'] }),
  })) as NodeJS.ReadableStream & { destroy(): void };
  const out = new Map<string, JobContainerEvents>();
  let buffered = '';
  const take = (line: string) => {
    if (!line.trim()) return;
    const ev = JSON.parse(line) as { Action?: string; Actor?: { Attributes?: Record<string, string> } };
    const job = ev.Actor?.Attributes?.[LABELS.job] ?? '?';
    const counts = out.get(job) ?? { create: 0, start: 0, destroy: 0 };
    if (ev.Action === 'create' || ev.Action === 'start' || ev.Action === 'destroy') counts[ev.Action] += 1;
    out.set(job, counts);
  };
  stream.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) take(line);
  });
  return {
    stop: async () => {
      // Events are delivered shortly after they happen; give the last ones a moment to arrive.
      await new Promise((resolve) => setTimeout(resolve, 500));
      stream.destroy();
      take(buffered);
      return out;
    },
  };
}
