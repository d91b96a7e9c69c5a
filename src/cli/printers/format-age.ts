/** A short human duration as kubectl prints ages: `45s`, `3m`, `5h`, `4d`, `2y`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<unknown>';
  if (ms < -1000) return '<invalid>';
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 365) return `${d}d`;
  return `${Math.floor(d / 365)}y`;
}

/** The age of an ISO timestamp (or Date) relative to `now`; `<unknown>` when there is none. */
export function formatAge(since: string | Date | undefined, now: Date = new Date()): string {
  if (since === undefined) return '<unknown>';
  const t = typeof since === 'string' ? Date.parse(since) : since.getTime();
  return Number.isNaN(t) ? '<unknown>' : formatDuration(now.getTime() - t);
}
