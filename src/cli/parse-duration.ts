import { InvalidArgumentError } from 'commander';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Parses a duration such as `90s`, `5m`, `1h30m` or `250ms` into milliseconds; a bare number is seconds. */
export function parseDuration(text: string, flag: string): number {
  const s = text.trim();
  if (/^\d+(\.\d+)?$/.test(s)) return Math.round(Number(s) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
  let total = 0;
  let consumed = 0;
  for (const m of s.matchAll(re)) {
    if (m.index !== consumed) break;
    total += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000);
    consumed += m[0].length;
  }
  if (consumed !== s.length || s.length === 0) {
    throw new InvalidArgumentError(`${flag} takes a duration such as 30s, 5m or 1h30m, got '${text}'`);
  }
  return Math.round(total);
}
