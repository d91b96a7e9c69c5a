import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StringDecoder } from 'node:string_decoder';
import { attemptMayWrite } from '../cli/attempts.js';
import { journalPaths } from '../state/journal-paths.js';
import { startEventStream } from './security-headers.js';

/** Streams a driver log from byte `from` as server-sent `log` events until the attempt ends (`end`) or the client leaves. */
export async function streamLog(
  req: IncomingMessage,
  res: ServerResponse,
  stateDir: string,
  name: string,
  attempt: number,
  from: number,
  pollMs = 300,
): Promise<void> {
  const send = startEventStream(res);
  const path = journalPaths.log(stateDir, name, attempt);
  const decoder = new StringDecoder('utf8');
  let offset = from;
  let gone = false;
  req.on('close', () => {
    gone = true;
  });
  const copy = async () => {
    const handle = await open(path, 'r').catch(() => undefined);
    if (!handle) return;
    try {
      const { size } = await handle.stat();
      if (size <= offset) return;
      const buf = Buffer.alloc(Math.min(size - offset, 1 << 20));
      const { bytesRead } = await handle.read(buf, 0, buf.length, offset);
      offset += bytesRead;
      const text = decoder.write(buf.subarray(0, bytesRead));
      if (text) send('log', text);
    } finally {
      await handle.close();
    }
  };
  while (!gone) {
    const active = await attemptMayWrite(stateDir, name, attempt);
    await copy();
    if (!active) {
      send('end', { offset });
      break;
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  res.end();
}
