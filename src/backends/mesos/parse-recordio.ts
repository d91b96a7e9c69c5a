import { RecordIoError } from './errors.js';

/** Largest record accepted (64 MiB): a bigger length prefix means a broken stream, not a real event. */
export const MAX_RECORD_BYTES = 64 * 1024 * 1024;
const MAX_PREFIX_DIGITS = 20;

/** Incremental decoder of Mesos RecordIO (`<byte length>\n<bytes>`…): chunk boundaries are free, lengths count bytes. */
export class RecordIoDecoder {
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes received so far, framing included. */
  bytesReceived = 0;
  /** Records decoded so far. */
  recordsDecoded = 0;

  /** Feeds one chunk and returns every record it completed, as raw bytes. */
  push(chunk: Uint8Array): Buffer[] {
    this.bytesReceived += chunk.byteLength;
    this.pending = this.pending.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.pending, chunk]);
    const records: Buffer[] = [];
    let start = 0;
    for (;;) {
      const nl = this.pending.indexOf(0x0a, start);
      if (nl < 0) {
        if (this.pending.length - start > MAX_PREFIX_DIGITS)
          throw new RecordIoError(
            `RecordIO length prefix longer than ${MAX_PREFIX_DIGITS} bytes at byte ${this.bytesReceived - (this.pending.length - start)} of the event stream`,
          );
        break;
      }
      const prefix = this.pending.subarray(start, nl).toString('latin1');
      if (!/^[0-9]{1,20}$/.test(prefix))
        throw new RecordIoError(`RecordIO length prefix ${JSON.stringify(prefix.slice(0, 32))} is not a decimal number`);
      const length = Number(prefix);
      if (length === 0 || length > MAX_RECORD_BYTES)
        throw new RecordIoError(`RecordIO record length ${length} is outside 1..${MAX_RECORD_BYTES}`);
      const end = nl + 1 + length;
      if (this.pending.length < end) break;
      records.push(Buffer.from(this.pending.subarray(nl + 1, end)));
      start = end;
    }
    this.pending = start === 0 ? this.pending : Buffer.from(this.pending.subarray(start));
    this.recordsDecoded += records.length;
    return records;
  }

  /** Bytes of an unfinished record still buffered. */
  get pendingBytes(): number {
    return this.pending.length;
  }

  /** Checks the stream ended on a record boundary. */
  end(): void {
    if (this.pending.length > 0) throw new RecordIoError(`RecordIO stream ended inside a record (${this.pending.length} bytes left over)`);
  }
}

/** Frames one JSON value as a RecordIO record, exactly as the master writes it. */
export function encodeRecord(value: unknown): Buffer {
  const json = Buffer.from(JSON.stringify(value), 'utf8');
  return Buffer.concat([Buffer.from(`${json.length}\n`, 'latin1'), json]);
}
