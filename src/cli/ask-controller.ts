import { requestControl, type ControlRequest } from '../state/control-socket.js';
import type { CliContext } from './cli-context.js';
import { CheckFailedError } from './errors.js';

/**
 * Sends one request (trigger, rerun) to the controller of the state dir over its control socket and
 * returns what it answered; a missing, silent or refusing controller is an error that says what to do.
 */
export async function askController(ctx: Pick<CliContext, 'jobsDir' | 'stateDir'>, request: ControlRequest): Promise<unknown> {
  const reply = await requestControl(ctx.stateDir, request, 10_000);
  if (reply === 'none')
    throw new CheckFailedError(
      `no controller is running for ${ctx.jobsDir} (state dir ${ctx.stateDir}): ${request.op} is carried out by the controller; start one with: sparkctl --jobs ${ctx.jobsDir} controller`,
    );
  if (typeof reply === 'string')
    throw new CheckFailedError(`the controller did not answer on its control socket in ${ctx.stateDir}; see its log`);
  if (!reply.ok) throw new CheckFailedError(`the controller refused: ${reply.error}`);
  return reply.info;
}
