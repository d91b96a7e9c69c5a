import { appendFile, readFile, stat } from 'node:fs/promises';

/**
 * When the bytes of a driver log arrived, kept beside the log (`attempt-N.log.times`) so the log
 * itself stays the driver's exact bytes. One text line per received chunk: `END MS`, meaning the
 * log's bytes before offset END had arrived by MS (epoch milliseconds). Bytes past the last END
 * (a log written whole by collecting, or written before this file existed) date from the log's
 * modification time.
 */
export interface LogTimes {
  /** Chunk ends, ascending byte offsets. */
  readonly ends: readonly number[];
  /** Arrival time of each chunk, epoch ms. */
  readonly times: readonly number[];
  /** The log's modification time, for bytes no chunk covers. */
  readonly fallbackMs: number;
}

/** The sidecar path of a log. */
export const logTimesPath = (logPath: string) => `${logPath}.times`;

/** Reads a log's arrival times; a missing or torn sidecar gives what it holds (possibly nothing). */
export async function readLogTimes(logPath: string): Promise<LogTimes> {
  const [text, info] = await Promise.all([readFile(logTimesPath(logPath), 'utf8').catch(() => ''), stat(logPath).catch(() => undefined)]);
  const ends: number[] = [];
  const times: number[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+) (\d+)$/.exec(line);
    if (!m) continue;
    const end = Number(m[1]);
    if (ends.length > 0 && end <= ends[ends.length - 1]!) continue;
    ends.push(end);
    times.push(Number(m[2]));
  }
  // The modification time as stat gives it as a Date (milliseconds, as every other file time the CLI shows).
  return { ends, times, fallbackMs: info?.mtime.getTime() ?? Date.now() };
}

/** When the byte at `offset` arrived: the first chunk ending after it, else the log's modification time. */
export function timeAt(times: LogTimes, offset: number): number {
  let lo = 0;
  let hi = times.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times.ends[mid]! > offset) hi = mid;
    else lo = mid + 1;
  }
  return lo < times.ends.length ? times.times[lo]! : times.fallbackMs;
}

/**
 * Records arrival times while a log is streamed from its start (again on every re-attach): bytes
 * already covered by an earlier attach keep their first time, so a re-attach does not re-date them.
 */
export class LogTimesWriter {
  private offset = 0;

  private constructor(
    private readonly path: string,
    private covered: number,
  ) {}

  /** Opens the sidecar of a log about to be (re)written from its first byte. */
  static async open(logPath: string): Promise<LogTimesWriter> {
    const existing = await readLogTimes(logPath);
    return new LogTimesWriter(logTimesPath(logPath), existing.ends[existing.ends.length - 1] ?? 0);
  }

  /** Notes a chunk just written to the log; resolves once its time is appended (errors are the caller's). */
  async record(chunk: string, now = Date.now()): Promise<void> {
    this.offset += Buffer.byteLength(chunk, 'utf8');
    if (this.offset <= this.covered) return;
    this.covered = this.offset;
    await appendFile(this.path, `${this.offset} ${now}\n`, { mode: 0o600 });
  }
}
