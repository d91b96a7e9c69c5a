import type { Command } from 'commander';
import { registerController } from './controller.js';
import { registerSchema } from './schema.js';
import { registerValidate } from './validate.js';

/** Sets the process exit code from a command. */
export type SetExit = (code: number) => void;

/** Adds every verb to the program; each verb lives in its own file beside this one. */
export function registerCommands(program: Command, setExit: SetExit): void {
  // Verbs register here, one line each.
  registerController(program, setExit);
  registerValidate(program, setExit);
  registerSchema(program, setExit);
}
