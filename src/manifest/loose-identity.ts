/**
 * The identity of a manifest that did not validate, read best-effort from its already parsed
 * plain data: the controller and the CLI name and show such files the same way.
 */

/** The rule a metadata.name follows (a DNS-1123 label), as the schema checks it. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The status block of a manifest that did not validate (best effort). */
export function looseStatus(value: unknown): { phase?: unknown; message?: unknown } | undefined {
  const status = (value as { status?: unknown } | null | undefined)?.status;
  return status !== null && typeof status === 'object' ? (status as { phase?: unknown; message?: unknown }) : undefined;
}

/** The metadata.name of a manifest that did not validate, when it is a valid name (best effort). */
export function looseName(value: unknown): string | undefined {
  const meta = (value as { metadata?: unknown } | null | undefined)?.metadata;
  const n = meta !== null && typeof meta === 'object' ? (meta as { name?: unknown }).name : undefined;
  return typeof n === 'string' && NAME.test(n) && n.length <= 63 ? n : undefined;
}
