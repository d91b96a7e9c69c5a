/** Errno codes that mean the storage itself refuses writes (full, over quota, read-only, failing). */
const STORAGE_CODES = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EIO']);

/**
 * The errno code of a storage failure anywhere in an error's cause chain, or undefined when the
 * error is about something else (a driver that vanished, an engine that answered 500).
 */
export function storageErrorCode(err: unknown): string | undefined {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && e !== undefined && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && STORAGE_CODES.has(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}
