import { isMesosMaster } from '../api/identity.js';
import type { SparkJobSpec } from '../api/spark-job.js';
import type { SparkJobStatus } from '../api/status.js';
import { escapeText } from '../escape-text.js';
import { readSecretFile } from './read-secret-file.js';

/** What a secret is shown as everywhere: driver logs, messages, the CLI and the Mesos backend. */
export const SECRET_MASK = '******';

/** A secret file's value for masking; a missing or unusable one gives nothing (the run reports that itself). */
function secretFileValue(path: string): string | undefined {
  try {
    return readSecretFile(path);
  } catch {
    return undefined;
  }
}

/** The values of a spec's env entries marked `secret: true` (the ones the manifest itself carries). */
export function envSecretValues(spec: SparkJobSpec): string[] {
  return spec.driver.env.filter((e) => e.secret && e.value !== '').map((e) => e.value);
}

/** The secret values a driver is given: env entries marked `secret: true` and the Mesos secret from `secretRef` (env or file). */
export function secretValues(spec: SparkJobSpec, env: NodeJS.ProcessEnv): string[] {
  const out = envSecretValues(spec);
  const ref = isMesosMaster(spec.master) ? spec.mesos?.secretRef : undefined;
  const mesos = ref === undefined ? undefined : 'env' in ref ? env[ref.env] : secretFileValue(ref.file);
  if (mesos) out.push(mesos);
  // Longest first, so a secret that contains another is masked whole.
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/**
 * The secret env values of a manifest that may not have validated (raw YAML data): every
 * `spec.driver.env` entry whose `secret` is set to anything but false, its value as text
 * (a number or boolean secret included). Longest first.
 */
export function looseSecretValues(manifest: unknown): string[] {
  const env = (manifest as { spec?: { driver?: { env?: unknown } } } | null | undefined)?.spec?.driver?.env;
  if (!Array.isArray(env)) return [];
  const out: string[] = [];
  for (const e of env as Array<{ value?: unknown; secret?: unknown } | null>) {
    if (e === null || typeof e !== 'object' || e.secret === undefined || e.secret === null || e.secret === false) continue;
    const v = e.value;
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') {
      if (String(v) !== '') out.push(String(v));
    }
  }
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** A status with every secret masked in its message and its conditions' messages (the one projection every output copies). */
export function redactStatus(status: SparkJobStatus, secrets: readonly string[]): SparkJobStatus {
  if (secrets.length === 0) return status;
  const conditions = status.conditions.map((c) => (c.message ? { ...c, message: redactSecrets(c.message, secrets) } : c));
  return { ...status, conditions, ...(status.message !== undefined ? { message: redactSecrets(status.message, secrets) } : {}) };
}

/**
 * The texts to mask for some secrets: each secret as is, JSON-escaped (how an engine error quotes
 * it: `\n`, `\"`…) and terminal-escaped (`\x1b`), without repeats, longest first (so one that
 * contains another is masked whole).
 */
function maskedForms(secrets: readonly (string | undefined)[]): string[] {
  const forms = new Set<string>();
  for (const s of secrets) if (s) for (const form of [s, JSON.stringify(s).slice(1, -1), escapeText(s)]) forms.add(form);
  return [...forms].sort((a, b) => b.length - a.length);
}

function maskAll(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) out = out.split(form).join(SECRET_MASK);
  return out;
}

/** Masks every occurrence of every secret in a text, in each of its forms (maskedForms). */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  return maskAll(text, maskedForms(secrets));
}

/**
 * A redactor for a log that arrives in chunks: it holds back the last (longest form − 1)
 * characters, so a secret split across two chunks is still masked; `end` releases the rest.
 */
export function streamRedactor(secrets: readonly string[]): { push(chunk: string): string; end(): string } {
  const forms = maskedForms(secrets);
  const keep = (forms[0]?.length ?? 0) - 1;
  let pending = '';
  return {
    push(chunk) {
      if (forms.length === 0) return chunk;
      const text = maskAll(pending + chunk, forms);
      const cut = Math.max(0, text.length - keep);
      pending = text.slice(cut);
      return text.slice(0, cut);
    },
    end() {
      const rest = maskAll(pending, forms);
      pending = '';
      return rest;
    },
  };
}
