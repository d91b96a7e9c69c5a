import type { SetExit } from './commands/index.js';
import { exitCodeOf } from './errors.js';
import { escapeLines } from '../escape-text.js';

/** Runs a verb's body: errors become `Error: …` on stderr (user strings they quote escaped) and exit code 1 (2 for usage errors). */
export async function runAction(setExit: SetExit, body: () => Promise<number | void>): Promise<void> {
  try {
    const code = await body();
    setExit(code ?? 0);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(`Error: ${escapeLines(message)}\n`);
    setExit(exitCodeOf(err));
  }
}
