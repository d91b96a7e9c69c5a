import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { SecretFileError } from './errors.js';

/** The largest secret file read (a password or token, never a payload). */
export const MAX_SECRET_FILE_BYTES = 64 * 1024;

/**
 * Reads a secret file without ever blocking: opened non-blocking and without following a final
 * link, checked with fstat to be a regular file no larger than the cap, read whole and trimmed
 * of surrounding white space. A FIFO, device, socket, folder or oversized file is refused.
 * Errors name the field and the path, never the content.
 */
export function readSecretFile(path: string, field = 'spec.mesos.secretRef.file', maxBytes = MAX_SECRET_FILE_BYTES): string {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW | constants.O_NOCTTY);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? 'error';
    const hint = code === 'ELOOP' ? 'it is a symbolic link; name the real file' : 'make it readable by the controller';
    throw new SecretFileError(`${field}: cannot open ${path} (${code}); ${hint}`, { cause });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new SecretFileError(`${field}: ${path} is not a regular file; a secret must be a plain file`);
    if (st.size > maxBytes)
      throw new SecretFileError(`${field}: ${path} is ${st.size} bytes; a secret file may hold at most ${maxBytes} bytes`);
    const buf = Buffer.alloc(maxBytes + 1);
    let len = 0;
    for (;;) {
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
      if (len > maxBytes)
        throw new SecretFileError(
          `${field}: ${path} grew past ${maxBytes} bytes while being read; a secret file may hold at most ${maxBytes} bytes`,
        );
    }
    const value = buf.subarray(0, len).toString('utf8').trim();
    if (value === '') throw new SecretFileError(`${field}: ${path} is empty; write the secret into it`);
    return value;
  } finally {
    closeSync(fd);
  }
}
