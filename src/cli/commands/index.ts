import type { Command } from 'commander';

/** Sets the process exit code from a command. */
export type SetExit = (code: number) => void;

type Register = (program: Command, setExit: SetExit) => void;

/**
 * Every verb, in the order help lists them; each lives in its own file beside this one and is
 * loaded only when needed (a run of one verb loads that verb's modules, not all of them).
 */
const VERBS: Record<string, () => Promise<Register>> = {
  controller: () => import('./controller.js').then((m) => m.registerController),
  validate: () => import('./validate.js').then((m) => m.registerValidate),
  schema: () => import('./schema.js').then((m) => m.registerSchema),
  get: () => import('./get.js').then((m) => m.registerGet),
  describe: () => import('./describe.js').then((m) => m.registerDescribe),
  logs: () => import('./logs.js').then((m) => m.registerLogs),
  events: () => import('./events.js').then((m) => m.registerEvents),
  wait: () => import('./wait.js').then((m) => m.registerWait),
  apply: () => import('./apply.js').then((m) => m.registerApply),
  diff: () => import('./diff.js').then((m) => m.registerDiff),
  delete: () => import('./delete.js').then((m) => m.registerDelete),
  suspend: () => import('./suspend.js').then((m) => m.registerSuspend),
  resume: () => import('./resume.js').then((m) => m.registerResume),
  rerun: () => import('./rerun.js').then((m) => m.registerRerun),
  trigger: () => import('./trigger.js').then((m) => m.registerTrigger),
  completion: () => import('./completion.js').then((m) => m.registerCompletion),
  sync: () => import('./sync.js').then((m) => m.registerSync),
  version: () => import('./version.js').then((m) => m.registerVersion),
};

/** Global flags that take a value (`--jobs DIR`), skipped when looking for the verb. */
const VALUE_FLAGS = new Set(['--jobs', '--state-dir']);

/**
 * The verb a command line runs, when only that verb needs loading: the first word that is not a
 * global flag or its value. Undefined (load every verb) for help, version, an unknown word, and
 * `completion`, whose script lists every verb and flag.
 */
export function soleVerb(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (VALUE_FLAGS.has(a)) {
      i++;
      continue;
    }
    if (a.startsWith('--jobs=') || a.startsWith('--state-dir=')) continue;
    if (a.startsWith('-')) return undefined;
    return Object.prototype.hasOwnProperty.call(VERBS, a) && a !== 'completion' ? a : undefined;
  }
  return undefined;
}

/** Adds the verbs to the program: only `verb` when given, else every one. */
export async function registerCommands(program: Command, setExit: SetExit, verb?: string): Promise<void> {
  const names = verb !== undefined ? [verb] : Object.keys(VERBS);
  const registers = await Promise.all(names.map((n) => VERBS[n]!()));
  for (const register of registers) register(program, setExit);
}
