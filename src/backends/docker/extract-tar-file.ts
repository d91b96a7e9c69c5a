/** Why a single file could not be taken out of an archive (missing, a folder, a link, too large). */
export class TarExtractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarExtractError';
  }
}

/** Reads exact byte counts from an async stream of chunks. */
class ByteReader {
  private chunks: Buffer[] = [];
  private length = 0;
  private done = false;
  constructor(private readonly it: AsyncIterator<Buffer | string>) {}

  async read(n: number): Promise<Buffer> {
    while (this.length < n && !this.done) {
      const r = await this.it.next();
      if (r.done) this.done = true;
      else {
        const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
        this.chunks.push(b);
        this.length += b.length;
      }
    }
    const all = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    const out = all.subarray(0, n);
    const rest = all.subarray(out.length);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.length = rest.length;
    return out;
  }

  async close(): Promise<void> {
    await this.it.return?.();
  }
}

const BLOCK = 512;

function field(h: Buffer, start: number, len: number): string {
  const raw = h.subarray(start, start + len);
  const nul = raw.indexOf(0);
  return raw.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function parseSize(h: Buffer): number {
  if ((h[124]! & 0x80) !== 0) {
    let n = 0;
    for (let i = 125; i < 136; i++) n = n * 256 + h[i]!;
    return n;
  }
  const s = field(h, 124, 12).trim();
  return s === '' ? 0 : parseInt(s, 8);
}

function parsePax(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  let off = 0;
  while (off < data.length) {
    const sp = data.indexOf(0x20, off);
    if (sp < 0) break;
    const len = Number(data.subarray(off, sp).toString('ascii'));
    if (!Number.isInteger(len) || len <= sp - off) break;
    const record = data
      .subarray(sp + 1, off + len)
      .toString('utf8')
      .replace(/\n$/, '');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    off += len;
  }
  return out;
}

/**
 * Takes the first entry of a tar stream (what the engine's archive endpoint returns for one
 * path) and returns its bytes. Fails, without reading the data, when that entry is not a regular
 * file or is larger than `maxBytes`. Handles pax and GNU long-name headers.
 */
export async function extractSingleFile(source: AsyncIterable<Buffer | string>, maxBytes: number): Promise<{ name: string; data: Buffer }> {
  const reader = new ByteReader(source[Symbol.asyncIterator]());
  try {
    let pax = new Map<string, string>();
    let longName: string | undefined;
    for (;;) {
      const h = await reader.read(BLOCK);
      if (h.length < BLOCK || h.every((b) => b === 0)) throw new TarExtractError('the archive holds no file');
      const type = String.fromCharCode(h[156]!);
      const size = pax.has('size') ? Number(pax.get('size')) : parseSize(h);
      const name = pax.get('path') ?? longName ?? field(h, 0, 100);
      const padded = Math.ceil(size / BLOCK) * BLOCK;
      if (type === 'x' || type === 'g' || type === 'L') {
        if (size > 1024 * 1024) throw new TarExtractError(`a tar header of ${size} bytes is too large`);
        const data = (await reader.read(padded)).subarray(0, size);
        if (type === 'x') pax = parsePax(data);
        if (type === 'L') longName = field(data, 0, data.length);
        continue;
      }
      if (type === '5') throw new TarExtractError(`${name} is a directory, not a file`);
      if (type === '1' || type === '2') throw new TarExtractError(`${name} is a link, not a regular file`);
      if (type !== '0' && type !== '\0' && type !== '7')
        throw new TarExtractError(`${name} is not a regular file (tar type ${JSON.stringify(type)})`);
      if (size > maxBytes) throw new TarExtractError(`${name} is ${size} bytes, more than the limit of ${maxBytes} bytes`);
      const data = await reader.read(size);
      if (data.length < size) throw new TarExtractError(`the archive ended inside ${name}`);
      return { name, data };
    }
  } finally {
    await reader.close();
  }
}
