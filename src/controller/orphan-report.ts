import { backendFor } from '../api/spark-job.js';
import type { KnownTask, UnknownTask } from '../backends/mesos/framework-session.js';
import type { Backend, OwnedDriver } from '../backends/ports.js';
import { messageOf } from '../errors.js';
import type { Logger } from '../logger.js';
import type { MesosHooks } from './job-actors.js';
import type { JobRegistry } from './job-registry.js';

/**
 * Orphan reporting, one rule for every backend: a driver carrying sparkctl's labels (a Docker
 * container, a Mesos task) that is not its job's current run is logged, recorded as a Warning
 * event on its job when the job exists, and left running. Each driver is reported once.
 */
export class OrphanReport {
  private readonly reported = new Set<string>();
  /** The hooks the Mesos backend is created with: the journal's Mesos tasks in, unknown tasks out. */
  readonly mesosHooks: MesosHooks = {
    knownTasks: () => this.knownMesosTasks(),
    onUnknownTask: (t: UnknownTask) =>
      this.found({
        job: t.job,
        attempt: t.attempt,
        ref: { backend: 'mesos', taskId: t.taskId, frameworkId: t.frameworkId, ...(t.agentId ? { agentId: t.agentId } : {}) },
      }),
  };

  /** `jobs` is looked up when a backend reports (the job registry is built after the backends). */
  constructor(
    private readonly jobs: () => JobRegistry,
    private readonly log: Logger,
  ) {}

  /** Lists a backend's drivers (after the journal was restored) and reports those no job's current run owns. */
  async check(backend: Backend): Promise<void> {
    let drivers: OwnedDriver[];
    try {
      drivers = await backend.listDrivers({ signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      this.log.warn({ err: messageOf(err) }, 'Could not list drivers for adoption; will adopt as jobs reconnect');
      return;
    }
    for (const d of drivers) this.found(d, true);
  }

  /** Reports one driver unless it is its job's current run (`adopting`: say so in the log when it is). */
  found(d: Pick<OwnedDriver, 'ref' | 'job' | 'attempt'>, adopting = false): void {
    const entry = this.jobs().get(d.job);
    if (entry !== undefined && entry.actor.getSnapshot().context.attempt === d.attempt) {
      if (adopting) this.log.info({ job: d.job, attempt: d.attempt }, 'Adopted running driver');
      return;
    }
    const id = d.ref.containerName ?? d.ref.containerId ?? d.ref.taskId;
    const key = `${d.ref.backend}:${id}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.log.warn({ job: d.job, attempt: d.attempt, driver: d.ref }, 'Found a driver no job owns; left it alone');
    if (entry)
      void this.jobs().event(
        d.job,
        'Warning',
        'Orphaned',
        `driver ${id} (attempt ${d.attempt}) is not the job's current run; it was left running`,
      );
  }

  /** The driver task of every Mesos job the journal records (restored into the registry), with its master. */
  private knownMesosTasks(): KnownTask[] {
    const out: KnownTask[] = [];
    for (const e of this.jobs().all()) {
      const { spec, driver } = e.actor.getSnapshot().context;
      if (backendFor(spec) !== 'mesos' || driver?.taskId === undefined) continue;
      out.push({ master: spec.master, taskId: driver.taskId, ...(driver.agentId ? { agentId: driver.agentId } : {}) });
    }
    return out;
  }
}
