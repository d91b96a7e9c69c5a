import { TERMINAL_PHASES } from '../api/status.js';
import { messageOf } from '../errors.js';
import { phaseOf } from '../machines/project-status.js';
import type { ControlHandler } from '../state/state-lock.js';
import type { JobRegistry } from './job-registry.js';
import type { ScheduleRunner } from './schedule-runner.js';

/**
 * The controller's answers on the control socket: `trigger NAME` starts a run of a schedule now;
 * `rerun NAME` runs a finished job again when it has no manifest to carry the rerun annotation
 * (a schedule's run). Replies name the run started, or say why nothing was done.
 */
export function controlHandler(registry: JobRegistry, schedules: Pick<ScheduleRunner, 'trigger'>): ControlHandler {
  return async (request) => {
    try {
      if (request.op === 'trigger') return { ok: true, info: { run: await schedules.trigger(request.name) } };
      const entry = registry.get(request.name);
      if (!entry) return { ok: false, error: `no job named ${request.name} runs in this controller` };
      const phase = phaseOf(entry.actor.getSnapshot());
      if (!TERMINAL_PHASES.has(phase) || phase === 'Invalid')
        return { ok: false, error: `${request.name} is ${phase}: only a Succeeded or Failed job can be rerun` };
      entry.actor.send({ type: 'job.rerun', requestedAt: new Date().toISOString() });
      return { ok: true, info: { run: request.name } };
    } catch (err) {
      return { ok: false, error: messageOf(err) };
    }
  };
}
