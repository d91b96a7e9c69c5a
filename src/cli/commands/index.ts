import type { Command } from 'commander';
import { registerController } from './controller.js';
import { registerApply } from './apply.js';
import { registerCompletion } from './completion.js';
import { registerDelete } from './delete.js';
import { registerDescribe } from './describe.js';
import { registerDiff } from './diff.js';
import { registerEvents } from './events.js';
import { registerGet } from './get.js';
import { registerLogs } from './logs.js';
import { registerRerun } from './rerun.js';
import { registerResume } from './resume.js';
import { registerSuspend } from './suspend.js';
import { registerTrigger } from './trigger.js';
import { registerWait } from './wait.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';
import { registerSync } from './sync.js';
import { registerVersion } from './version.js';

/** Sets the process exit code from a command. */
export type SetExit = (code: number) => void;

/** Adds every verb to the program; each verb lives in its own file beside this one. */
export function registerCommands(program: Command, setExit: SetExit): void {
  // Verbs register here, one line each.
  registerController(program, setExit);
  registerValidate(program, setExit);
  registerSchema(program, setExit);
  registerGet(program, setExit);
  registerDescribe(program, setExit);
  registerLogs(program, setExit);
  registerEvents(program, setExit);
  registerWait(program, setExit);
  registerApply(program, setExit);
  registerDiff(program, setExit);
  registerDelete(program, setExit);
  registerSuspend(program, setExit);
  registerResume(program, setExit);
  registerRerun(program, setExit);
  registerTrigger(program, setExit);
  registerCompletion(program, setExit);
  registerSync(program, setExit);
  registerVersion(program, setExit);
}
