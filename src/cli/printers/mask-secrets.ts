import type { SparkJobStatus } from '../../api/status.js';
import type { JobRecord } from '../../state/journal-paths.js';
import { looseSecretValues, redactSecrets, redactStatus, SECRET_MASK } from '../../secrets/redact.js';

/** What a secret env value is shown as; `apply` puts the stored value back when it sees it. */
export { SECRET_MASK };

type EnvEntry = { name?: unknown; value?: unknown; secret?: unknown };

/** The driver env list of a SparkJob (`spec.driver.env`) or of a ScheduledSparkJob's template (`spec.template.driver.env`). */
function envListOf(manifest: Record<string, unknown> | undefined): EnvEntry[] | undefined {
  type Driver = { driver?: { env?: unknown } };
  const spec = manifest?.spec as (Driver & { template?: Driver }) | undefined;
  const driver = spec?.driver ?? spec?.template?.driver;
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

/** The secret values the CLI knows for a job: its manifest's secret env values and those of the spec in its journal record. */
export function knownSecrets(manifest: unknown, record: Pick<JobRecord, 'snapshot'> | undefined): string[] {
  const spec = (record?.snapshot as { context?: { spec?: unknown } } | undefined)?.context?.spec;
  return [...new Set([...looseSecretValues(manifest), ...looseSecretValues({ spec })])];
}

/** A status as the CLI shows it: secrets masked again (the controller already did; a journal from an older version may not have). */
export function maskStatus(status: SparkJobStatus, secrets: readonly string[]): SparkJobStatus {
  return redactStatus(status, secrets);
}

/** Event messages with secrets masked. */
export function maskEvents<E extends { message: string }>(events: readonly E[], secrets: readonly string[]): E[] {
  return secrets.length === 0 ? [...events] : events.map((e) => ({ ...e, message: redactSecrets(e.message, secrets) }));
}
