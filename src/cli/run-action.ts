import type { SetExit } from './commands/index.js';
import { exitCodeOf } from './errors.js';

/** Runs a verb's body: errors become `Error: …` on stderr and exit code 1 (2 for usage errors). */
export async function runAction(setExit: SetExit, body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    setExit(code ?? 0);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`Error: ${message}\n`);
    setExit(exitCodeOf(err));
  }
}
