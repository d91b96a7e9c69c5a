import { open } from 'node:fs/promises';

const BLOCK = 64 * 1024;

/**
 * The byte offset where the last `lines` lines of a file start (0 when it has fewer), read
 * backwards a block at a time so a long log is not read whole. A final line without a newline counts.
 */
export async function tailOffset(path: string, lines: number): Promise<number> {
  if (lines < 0) return 0;
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return 0;
  }
  try {
    const { size } = await handle.stat();
    if (lines === 0) return size;
    let end = size;
    let found = 0;
    // A newline that ends the file closes the last line; it does not start one.
    let skipLast = true;
    const buf = Buffer.alloc(BLOCK);
    while (end > 0) {
      const start = Math.max(0, end - BLOCK);
      const { bytesRead } = await handle.read(buf, 0, end - start, start);
      for (let i = bytesRead - 1; i >= 0; i--) {
        if (buf[i] !== 0x0a) {
          skipLast = false;
          continue;
        }
        if (skipLast) {
          skipLast = false;
          continue;
        }
        found += 1;
        if (found === lines) return start + i + 1;
      }
      end = start;
    }
    return 0;
  } finally {
    await handle.close();
  }
}
