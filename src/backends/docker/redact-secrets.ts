import { readFileSync } from 'node:fs';
import { isMesosMaster, type SparkJobSpec } from '../../api/spark-job.js';

/** What a secret is shown as in driver logs (the same mask the CLI and the Mesos backend use). */
export const SECRET_MASK = '******';

/** Reads a secret file for masking; a missing or unreadable one gives nothing (the run reports that itself). */
function readSecretFile(path: string): string | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length > 0 && text.length <= 65_536 ? text.replace(/\r?\n$/, '') : undefined;
  } catch {
    return undefined;
  }
}

/** The secret values a driver is given: env entries marked `secret: true` and the Mesos secret from `secretRef` (env or file). */
export function secretValues(spec: SparkJobSpec, env: NodeJS.ProcessEnv): string[] {
  const out = spec.driver.env.filter((e) => e.secret && e.value !== '').map((e) => e.value);
  const ref = isMesosMaster(spec.master) ? spec.mesos?.secretRef : undefined;
  const mesos = ref === undefined ? undefined : 'env' in ref ? env[ref.env] : readSecretFile(ref.file);
  if (mesos) out.push(mesos);
  // Longest first, so a secret that contains another is masked whole.
  return [...new Set(out)].sort((a, b) => b.length - a.length);
}

/** Masks every occurrence of every secret in a text. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join(SECRET_MASK);
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
