import { positionOf, type ManifestIssue } from './manifest-issue.js';

/** The largest manifest sparkctl reads; real SparkJobs are a few KiB. */
export const MAX_MANIFEST_BYTES = 1024 * 1024;

/** Byte offset of the first byte that is not part of valid UTF-8, or -1 when all of it is valid. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    let need: number;
    let min: number;
    if (b < 0x80) {
      i += 1;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k += 1) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function formatSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/** The message for a file over MAX_MANIFEST_BYTES (`byteLength`: its size, or a lower bound when reading stopped at the cap). */
export function sizeMessage(byteLength: number, atLeast = false): string {
  const size = atLeast ? `more than ${formatSize(MAX_MANIFEST_BYTES)}` : `${formatSize(byteLength)} (${byteLength} bytes)`;
  return `file is ${size}; manifests are limited to ${formatSize(MAX_MANIFEST_BYTES)}: split it or move data out of the manifest`;
}

/** Size check shared by the byte and text entry points. */
export function checkSize(file: string, byteLength: number): ManifestIssue | undefined {
  if (byteLength <= MAX_MANIFEST_BYTES) return undefined;
  return { file, line: 1, col: 1, path: '', message: sizeMessage(byteLength) };
}

/** Rejects text that is not a text manifest: a NUL anywhere means a binary file. */
export function checkBinary(file: string, text: string): ManifestIssue | undefined {
  const nul = text.indexOf('\0');
  if (nul === -1) return undefined;
  return { file, ...positionOf(text, nul), path: '', message: 'file contains a NUL byte: it is binary, not a YAML manifest' };
}

/** Decodes a manifest's bytes as strict UTF-8, enforcing the size cap first. */
export function decodeManifest(file: string, bytes: Uint8Array): { text: string } | { issue: ManifestIssue } {
  const size = checkSize(file, bytes.byteLength);
  if (size) return { issue: size };
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, nul));
    return {
      issue: {
        file,
        ...positionOf(prefix, prefix.length),
        path: '',
        message: 'file contains a NUL byte: it is binary, not a YAML manifest',
      },
    };
  }
  const bad = firstInvalidUtf8(bytes);
  if (bad !== -1) {
    const prefix = new TextDecoder('utf-8').decode(bytes.subarray(0, bad));
    const hex = bytes[bad]!.toString(16).padStart(2, '0');
    return {
      issue: {
        file,
        ...positionOf(prefix, prefix.length),
        path: '',
        message: `file is not valid UTF-8 (byte 0x${hex} at offset ${bad}): save it as UTF-8`,
      },
    };
  }
  // The validator above and the fatal decoder agree; the decoder stays as a second guard.
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  return { text };
}
