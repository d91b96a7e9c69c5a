import { open } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import { readLogTimes, timeAt, type LogTimes } from '../state/log-times.js';
import { parseDuration } from './parse-duration.js';

const BLOCK = 64 * 1024;

/** `--since-time`: an RFC 3339 time (as kubectl), in epoch ms. */
export function parseSinceTime(text: string): number {
  const ms = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new InvalidArgumentError(`--since-time takes an RFC 3339 time such as 2025-05-01T10:00:00Z, got '${text}'`);
  return ms;
}

/** `--since`: a duration back from now (`5m`, `1h`), in ms. */
export function parseSince(text: string): number {
  const ms = parseDuration(text, '--since');
  if (ms <= 0) throw new InvalidArgumentError(`--since takes a positive duration such as 5m, got '${text}'`);
  return ms;
}

/** A time as RFC 3339 with nanoseconds (`2025-05-01T10:00:00.123000000Z`), as `kubectl logs --timestamps` prints it. */
export function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}

/**
 * The byte offset of the first line that arrived at or after `sinceMs` (the file's size when
 * none did). Arrival times only grow along the log, so every later line arrived after it too.
 */
export async function sinceOffset(path: string, times: LogTimes, sinceMs: number): Promise<number> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return 0;
  }
  try {
    const { size } = await handle.stat();
    const buf = Buffer.alloc(BLOCK);
    let lineStart = 0;
    for (let pos = 0; pos < size; pos += BLOCK) {
      const { bytesRead } = await handle.read(buf, 0, Math.min(BLOCK, size - pos), pos);
      if (bytesRead === 0) break;
      for (let i = 0; i < bytesRead; i++) {
        if (lineStart === pos + i && timeAt(times, lineStart) >= sinceMs) return lineStart;
        if (buf[i] === 0x0a) lineStart = pos + i + 1;
      }
    }
    return size;
  } finally {
    await handle.close();
  }
}

/** Prefixes each line of a slice of a log with its arrival time; carries whether the next byte starts a line. */
export class LineStamper {
  private atLineStart = true;
  private times: LogTimes | undefined;

  constructor(private readonly logPath: string) {}

  /** Re-reads the arrival times (a followed log gains some). */
  async refresh(): Promise<void> {
    this.times = await readLogTimes(this.logPath);
  }

  /** The bytes read at `offset`, with an arrival time before every line that starts in them. */
  stamp(bytes: Buffer, offset: number): string {
    const times = this.times ?? { ends: [], times: [], fallbackMs: Date.now() };
    let out = '';
    let from = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      const end = Math.min(i + 1, bytes.length);
      if (end > from) {
        if (this.atLineStart) out += `${rfc3339Nano(timeAt(times, offset + from))} `;
        out += bytes.subarray(from, end).toString('utf8');
        this.atLineStart = i < bytes.length;
      }
      from = end;
    }
    return out;
  }
}
