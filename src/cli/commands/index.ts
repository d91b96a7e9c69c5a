import type { Command } from 'commander';

/** Sets the process exit code from a command. */
export type SetExit = (code: number) => void;

/** Adds every verb to the program; each verb lives in its own file beside this one. */
export function registerCommands(_program: Command, _setExit: SetExit): void {
  // Verbs register here, one line each.
}
