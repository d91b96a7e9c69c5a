import type { ServerResponse } from 'node:http';
import { stringifyWire } from './wire-json.js';

/** Frames one record as Mesos does: `<byte length>\n<bytes>`, the length counting UTF-8 bytes. */
export function encodeRecord(json: string): Buffer {
  const body = Buffer.from(json, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length}\n`, 'ascii'), body]);
}

/** The SUBSCRIBE response: a chunked RecordIO stream of events, one record per chunk. */
export class RecordIoWriter {
  #closed = false;
  constructor(
    private readonly res: ServerResponse,
    private readonly onEvent: (json: string) => void,
  ) {
    res.on('close', () => {
      this.#closed = true;
    });
  }

  get closed(): boolean {
    return this.#closed || this.res.destroyed || this.res.writableEnded;
  }

  /** Calls `fn` once the response is closed, by either side. */
  onClose(fn: () => void): void {
    if (this.res.closed) fn();
    else this.res.once('close', fn);
  }

  /** Writes one event; returns false once the stream is gone. */
  write(event: unknown): boolean {
    if (this.closed) return false;
    const json = stringifyWire(event);
    this.onEvent(json);
    this.res.write(encodeRecord(json));
    return true;
  }

  /** Ends the stream with the chunked terminator, as the master does when it closes a subscription. */
  end(): void {
    if (this.closed) return;
    this.#closed = true;
    this.res.end();
  }

  /** Drops the TCP connection without a terminator, as a crashed master or a network cut would. */
  destroy(): void {
    this.#closed = true;
    this.res.socket?.destroy();
    this.res.destroy();
  }
}
