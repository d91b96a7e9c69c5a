import { createHash } from 'node:crypto';

/** A stand-in spec hash for machine tests, which never look inside it. */
export function specHashForTest(spec: unknown): string {
  return createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
}
