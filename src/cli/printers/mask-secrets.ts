import { SECRET_MASK } from '../../secrets/redact.js';

/** What a secret env value is shown as; `apply` puts the stored value back when it sees it. */
export { SECRET_MASK };

type EnvEntry = { name?: unknown; value?: unknown; secret?: unknown };

function envListOf(manifest: Record<string, unknown> | undefined): EnvEntry[] | undefined {
  const driver = (manifest?.spec as { driver?: { env?: unknown } } | undefined)?.driver;
  return Array.isArray(driver?.env) ? (driver.env as EnvEntry[]) : undefined;
}

/** A copy of a raw manifest with every `secret: true` env value replaced by the mask. */
export function maskSecrets(manifest: Record<string, unknown>): Record<string, unknown> {
  if (!envListOf(manifest)?.some((e) => e?.secret === true)) return manifest;
  const copy = structuredClone(manifest);
  for (const e of envListOf(copy) ?? []) if (e?.secret === true && e.value !== undefined) e.value = SECRET_MASK;
  return copy;
}

/**
 * Puts stored secret values back where an incoming manifest carries the mask (a `get -o json`
 * round trip); returns the names of masked secrets that have no stored value.
 */
export function restoreSecrets(incoming: Record<string, unknown>, existing: Record<string, unknown> | undefined): string[] {
  const missing: string[] = [];
  const stored = new Map((envListOf(existing) ?? []).filter((e) => e?.secret === true).map((e) => [e.name, e.value]));
  for (const e of envListOf(incoming) ?? []) {
    if (e?.secret !== true || e.value !== SECRET_MASK) continue;
    if (stored.has(e.name) && typeof stored.get(e.name) === 'string') e.value = stored.get(e.name);
    else missing.push(String(e.name));
  }
  return missing;
}
