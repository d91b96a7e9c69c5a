import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../fs/write-file-atomic.js';
import type { SyncFailureReason } from './errors.js';

/** What the last git sync did, as `<stateDir>/gitops/status.json` records it (URLs redacted). */
export interface SyncStatus {
  /** The remote, with any userinfo replaced by `***`. */
  readonly url: string;
  readonly ref: string;
  readonly path: string;
  readonly prune: boolean;
  /** The commit the jobs folder shows now (absent until a first sync succeeded). */
  readonly revision?: string;
  readonly shortRevision?: string;
  /** When `revision` was applied. */
  readonly syncedAt?: string;
  /** When the last attempt started, whatever its outcome: `sparkctl sync --wait` waits for it to pass its request. */
  readonly lastAttemptAt: string;
  /** Set when the last attempt failed; the jobs folder then still shows `revision`. */
  readonly error?: { readonly reason: SyncFailureReason | 'SyncFailed'; readonly message: string };
  /** Set when the applied revision does not descend from the one before it (history rewritten, e.g. a force-push). */
  readonly historyRewritten?: { readonly from: string };
  /** Manifests gone from git but kept (no --prune, or annotated `sparkctl.io/prune: "false"`). */
  readonly orphaned: readonly string[];
  /** Manifests of the revision that do not parse or validate; the valid ones run regardless. */
  readonly invalid: readonly string[];
  /** The controller process that wrote this status. */
  readonly pid: number;
  /** The status branch, when commit-back is on: what was pushed last, or why it failed. */
  readonly statusBranch?: { readonly name: string; readonly pushedAt?: string; readonly error?: string };
}

/** Where the sync status of a state dir lives. */
export const syncStatusPath = (stateDir: string): string => join(stateDir, 'gitops', 'status.json');

/** Writes the sync status atomically. */
export async function writeSyncStatus(stateDir: string, status: SyncStatus): Promise<void> {
  const path = syncStatusPath(stateDir);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  await writeFileAtomic(path, `${JSON.stringify(status, null, 2)}\n`, { mode: 0o644 });
}

/** Reads the sync status of a state dir; undefined when the jobs folder is not synced from git (or never was). */
export async function readSyncStatus(stateDir: string): Promise<SyncStatus | undefined> {
  try {
    const value = JSON.parse(await readFile(syncStatusPath(stateDir), 'utf8')) as SyncStatus;
    return typeof value === 'object' && value !== null && typeof value.lastAttemptAt === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A one-line summary for `sparkctl get`: "Synced 1a2b3c4 2m ago from https://…@main" (plus the error, orphans and invalid files). */
export function describeSyncStatus(status: SyncStatus, now: Date = new Date()): string {
  const ago = (iso: string) => formatAge(now.getTime() - Date.parse(iso));
  const source = `${status.url}@${status.ref}${status.path && status.path !== '.' ? ` (${status.path})` : ''}`;
  const parts = [status.revision && status.syncedAt ? `Synced ${status.shortRevision ?? status.revision.slice(0, 7)} ${ago(status.syncedAt)} ago from ${source}` : `Not synced yet from ${source}`];
  if (status.error) parts.push(`last sync ${ago(status.lastAttemptAt)} ago failed: ${status.error.reason}: ${status.error.message.split('\n')[0] ?? ''}`);
  if (status.orphaned.length) parts.push(`${status.orphaned.length} orphaned (removed from git, kept): ${status.orphaned.join(', ')}`);
  if (status.invalid.length) parts.push(`${status.invalid.length} invalid: ${status.invalid.join(', ')}`);
  return parts.join('; ');
}

/** kubectl-style age: 45s, 3m, 2h, 5d. */
function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}
