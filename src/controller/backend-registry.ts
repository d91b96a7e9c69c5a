import { backendFor, type SparkJobSpec } from '../api/spark-job.js';
import type { Backend } from '../backends/ports.js';
import type { Backends, MesosHooks } from './job-actors.js';

/** The one place a spec is mapped to the backend that runs it; Mesos is created on first use. */
export class BackendRegistry {
  private mesos?: Backend;

  /** `mesosHooks` wire the Mesos backend to the controller: the tasks its journal knows, and tasks nobody owns. */
  constructor(
    private readonly backends: Backends,
    private readonly mesosHooks: MesosHooks,
  ) {}

  /** The backend that runs a job of this spec (backendFor: Mesos for cluster mode on a mesos:// master). */
  for(spec: Pick<SparkJobSpec, 'mode' | 'master'>): Backend {
    return backendFor(spec) === 'mesos' ? (this.mesos ??= this.backends.mesos(this.mesosHooks)) : this.backends.docker;
  }

  /** Every backend in use: Docker always, Mesos once a job needed it (orphan reports cover each). */
  all(): Backend[] {
    return this.mesos ? [this.backends.docker, this.mesos] : [this.backends.docker];
  }
}
