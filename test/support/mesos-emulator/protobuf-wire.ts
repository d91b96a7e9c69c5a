/** Reads a base-128 varint at `pos`; undefined when it runs past the end or over 10 bytes. */
function readVarint(buf: Buffer, pos: number): { value: number; next: number } | undefined {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    const byte = buf[pos + i];
    if (byte === undefined) return undefined;
    value += (byte & 0x7f) * scale;
    scale *= 128;
    if ((byte & 0x80) === 0) return { value, next: pos + i + 1 };
  }
  return undefined;
}

/**
 * Whether a body is well-formed protobuf wire format (what `Call::ParseFromString` needs first):
 * valid tags, varints, fixed-size and length-delimited fields within the buffer, balanced groups.
 */
export function isWellFormedProtobuf(buf: Buffer): boolean {
  const groups: number[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const key = readVarint(buf, pos);
    if (!key) return false;
    const field = Math.floor(key.value / 8);
    const wire = key.value % 8;
    if (field === 0) return false;
    pos = key.next;
    if (wire === 0) {
      const v = readVarint(buf, pos);
      if (!v) return false;
      pos = v.next;
    } else if (wire === 1 || wire === 5) {
      pos += wire === 1 ? 8 : 4;
      if (pos > buf.length) return false;
    } else if (wire === 2) {
      const len = readVarint(buf, pos);
      if (!len || len.next + len.value > buf.length) return false;
      pos = len.next + len.value;
    } else if (wire === 3) {
      groups.push(field);
    } else if (wire === 4) {
      if (groups.pop() !== field) return false;
    } else {
      return false;
    }
  }
  return groups.length === 0;
}
