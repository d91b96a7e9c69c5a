/** Whether an error is the "reader went away" of a pipe (EPIPE) or of a closed stream. */
export function isBrokenPipe(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED';
}

let installed = false;

/**
 * Makes every verb end quietly (exit 0, no stack trace) when the reader of its stdout or stderr
 * goes away, as `sparkctl get | head -1` does: a watch stops, a long listing stops writing.
 */
export function exitQuietlyOnBrokenPipe(): void {
  if (installed) return;
  installed = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err) => {
      if (!isBrokenPipe(err)) throw err;
      process.exit(0);
    });
  }
}
