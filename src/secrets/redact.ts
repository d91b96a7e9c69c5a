import { isMesosMaster, type SparkJobSpec } from '../api/spark-job.js';
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

/** The secret values a driver is given: env entries marked `secret: true` and the Mesos secret from `secretRef` (env or file). */
export function secretValues(spec: SparkJobSpec, env: NodeJS.ProcessEnv): string[] {
  const out = spec.driver.env.filter((e) => e.secret && e.value !== '').map((e) => e.value);
  const ref = isMesosMaster(spec.master) ? spec.mesos?.secretRef : undefined;
  const mesos = ref === undefined ? undefined : 'env' in ref ? env[ref.env] : secretFileValue(ref.file);
  if (mesos) out.push(mesos);
  // Longest first, so a secret that contains another is masked whole.
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** Masks every occurrence of every secret in a text (secrets longest first, as secretValues sorts them). */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join(SECRET_MASK);
  return out;
}

/**
 * A redactor for a log that arrives in chunks: it holds back the last (longest secret − 1)
 * characters, so a secret split across two chunks is still masked; `end` releases the rest.
 */
export function streamRedactor(secrets: readonly string[]): { push(chunk: string): string; end(): string } {
  const keep = Math.max(0, ...secrets.map((s) => s.length)) - 1;
  let pending = '';
  return {
    push(chunk) {
      if (secrets.length === 0) return chunk;
      const text = redactSecrets(pending + chunk, secrets);
      const cut = Math.max(0, text.length - keep);
      pending = text.slice(cut);
      return text.slice(0, cut);
    },
    end() {
      const rest = redactSecrets(pending, secrets);
      pending = '';
      return rest;
    },
  };
}
