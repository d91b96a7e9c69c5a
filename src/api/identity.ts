import type { SparkJobSpec } from './spark-job.js';

/**
 * What names a SparkJob and which backend runs it, without the zod schema (spark-job.ts re-exports
 * these): the CLI's printers load this alone, so a `get` served from the read cache never loads zod.
 */

/** The API group and version every SparkJob manifest declares. */
export const API_VERSION = 'sparkctl.io/v1alpha1';
/** The kind every SparkJob manifest declares. */
export const KIND = 'SparkJob';

/** Whether a spec runs against Mesos (client or cluster mode). */
export function isMesosMaster(master: string): boolean {
  return master.startsWith('mesos://');
}

/** Which backend drives a spec: cluster mode is a Mesos task, every other mode a local container. */
export function backendFor(spec: Pick<SparkJobSpec, 'mode' | 'master'>): 'docker' | 'mesos' {
  return spec.mode === 'cluster' && isMesosMaster(spec.master) ? 'mesos' : 'docker';
}
