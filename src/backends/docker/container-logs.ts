import type Docker from 'dockerode';
import { LogDemuxer, demuxLog } from './demux-log.js';

/**
 * Follows a container's stdout and stderr from its start, passing text to `onLog` as it comes.
 * Resolves when the stream ends (the container stopped) or is aborted; never rejects: logs are
 * best effort, the container's exit decides the outcome.
 */
export async function followLogs(container: Docker.Container, onLog: (chunk: string) => void, signal: AbortSignal): Promise<void> {
  try {
    const stream = await container.logs({ follow: true, stdout: true, stderr: true, since: 0, abortSignal: signal });
    const demuxer = new LogDemuxer();
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const text = demuxer.push(chunk);
      if (text) onLog(text);
    }
    const rest = demuxer.end();
    if (rest) onLog(rest);
  } catch {
    // Aborted or the container vanished: the wait that runs alongside reports what happened.
  }
}

/** The whole log of a container, demuxed; when longer than `maxBytes` only its end is kept, after a note. */
export async function readWholeLog(container: Docker.Container, maxBytes: number, signal: AbortSignal): Promise<string> {
  const raw = await container.logs({ follow: false, stdout: true, stderr: true, abortSignal: signal });
  const text = demuxLog(Buffer.isBuffer(raw) ? raw : Buffer.from(String(raw)));
  const bytes = Buffer.byteLength(text);
  if (bytes <= maxBytes) return text;
  const tail = Buffer.from(text)
    .subarray(bytes - maxBytes)
    .toString('utf8');
  return `[sparkctl: the driver log was ${bytes} bytes; only its last ${maxBytes} bytes are kept]\n${tail}`;
}
