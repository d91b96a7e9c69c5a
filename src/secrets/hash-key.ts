import { createHmac, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { HashKeyError } from './errors.js';

/** The file in a state dir that holds the controller's secret hash key (mode 0600). */
export const HASH_KEY_FILE = 'hash.key';
const KEY_BYTES = 32;
const KEY_TEXT = /^[0-9a-f]{64}\n?$/;

/** A per-controller key: secret values enter hashes and fingerprints only through an HMAC under it. */
export type HashKey = Buffer;

/** HMAC-SHA256 of a value under the key, in hex; `purpose` separates uses of one key (spec hashes, credential fingerprints). */
export function keyedDigest(key: HashKey, purpose: string, value: string): string {
  return createHmac('sha256', key).update(purpose).update('\0').update(value).digest('hex');
}

function readKeyFile(file: string, tighten: boolean): HashKey {
  const fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new HashKeyError(`${file} is not a regular file; remove it so the controller creates a new key`);
    // Group or other access would let them recompute every secret fingerprint: tighten it.
    if (tighten && (st.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    const buf = Buffer.alloc(80);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const text = buf.subarray(0, n).toString('utf8');
    if (!KEY_TEXT.test(text))
      throw new HashKeyError(
        `${file} does not hold a key (64 hex characters); remove it so the controller creates a new one (jobs with secret values then restart once)`,
      );
    return Buffer.from(text.trim(), 'hex');
  } finally {
    closeSync(fd);
  }
}

/**
 * The state dir's hash key, created on first use: 32 random bytes written to a private temp file
 * (0600), fsynced, then hard-linked into place, so a reader sees a whole key or none and two
 * processes racing agree on one key. Reused as is afterwards.
 */
export function loadHashKey(stateDir: string): HashKey {
  const file = join(stateDir, HASH_KEY_FILE);
  try {
    return readKeyFile(file, true);
  } catch (err) {
    if (err instanceof HashKeyError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new HashKeyError(
        `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); make it readable by the controller`,
        { cause: err },
      );
  }
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const tmp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      writeSync(fd, `${randomBytes(KEY_BYTES).toString('hex')}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    } finally {
      unlinkSync(tmp);
    }
    const dir = openSync(stateDir, 'r');
    try {
      fsyncSync(dir);
    } catch {
      // Some file systems cannot fsync a folder; the link is atomic there all the same.
    } finally {
      closeSync(dir);
    }
    return readKeyFile(file, true);
  } catch (err) {
    if (err instanceof HashKeyError) throw err;
    throw new HashKeyError(
      `cannot create ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); make the state dir writable by the controller`,
      { cause: err },
    );
  }
}

/** The state dir's hash key when this process can read it (the CLI); undefined otherwise, never created. */
export function readHashKey(stateDir: string): HashKey | undefined {
  try {
    return readKeyFile(join(stateDir, HASH_KEY_FILE), false);
  } catch {
    return undefined;
  }
}
