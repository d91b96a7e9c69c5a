import { StringDecoder } from 'node:string_decoder';

/**
 * Splits Docker's multiplexed log stream (a non-TTY container: 8-byte frame headers
 * `[stream, 0, 0, 0, size32be]`) into text, stdout and stderr interleaved in engine order.
 * Feed it chunks as they come; a frame or a UTF-8 character split across chunks is kept for the next one.
 */
export class LogDemuxer {
  private pending: Buffer = Buffer.alloc(0);
  private readonly decoders = new Map<number, StringDecoder>();

  /** Adds a chunk and returns the text of the frames it completed. */
  push(chunk: Buffer): string {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    let out = '';
    let offset = 0;
    while (this.pending.length - offset >= 8) {
      const stream = this.pending[offset]!;
      const size = this.pending.readUInt32BE(offset + 4);
      if (this.pending.length - offset - 8 < size) break;
      out += this.decoder(stream).write(this.pending.subarray(offset + 8, offset + 8 + size));
      offset += 8 + size;
    }
    this.pending = this.pending.subarray(offset);
    return out;
  }

  /** Flushes what is left (an incomplete character at the very end). */
  end(): string {
    let out = '';
    for (const d of this.decoders.values()) out += d.end();
    return out;
  }

  private decoder(stream: number): StringDecoder {
    let d = this.decoders.get(stream);
    if (!d) {
      d = new StringDecoder('utf8');
      this.decoders.set(stream, d);
    }
    return d;
  }
}

/** Demuxes a whole multiplexed log buffer into text. */
export function demuxLog(buffer: Buffer): string {
  const d = new LogDemuxer();
  return d.push(buffer) + d.end();
}
