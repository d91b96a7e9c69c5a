import { access, mkdir, readFile } from 'node:fs/promises';
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
  /** The --jobs path the controller keeps in step (orphans removed from it by hand are not listed). */
  readonly jobsDir?: string;
  /** --git-timeout of that controller: `sparkctl sync --wait` waits longer than this by default. */
  readonly gitTimeoutMs?: number;
  /** Set while the attempt still runs its last step (the status branch push): `sync --wait` waits on. */
  readonly inProgress?: true;
  /**
   * Set when `revision` was applied from another --git, --git-ref or --git-path (a restart with changed flags) and no sync has succeeded
   * since.
   */
  readonly appliedFrom?: { readonly url: string; readonly ref: string; readonly path: string };
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

/**
 * Reads the sync status of a state dir; undefined when the jobs folder is not synced from git (or
 * never was). Orphans removed from the jobs folder by hand since the status was written are left out.
 */
export async function readSyncStatus(stateDir: string): Promise<SyncStatus | undefined> {
  let value: SyncStatus;
  try {
    value = JSON.parse(await readFile(syncStatusPath(stateDir), 'utf8')) as SyncStatus;
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || typeof value.lastAttemptAt !== 'string') return undefined;
  if (!value.jobsDir || !Array.isArray(value.orphaned) || value.orphaned.length === 0) return value;
  const jobsDir = value.jobsDir;
  const kept = await Promise.all(
    value.orphaned.map((f) =>
      access(join(jobsDir, f)).then(
        () => f,
        () => undefined,
      ),
    ),
  );
  return { ...value, orphaned: kept.filter((f): f is string => f !== undefined) };
}

/** Whether the last attempt left a problem someone must see: the sync failed or the status branch push did. */
export function hasSyncProblem(status: SyncStatus): boolean {
  return status.error !== undefined || status.statusBranch?.error !== undefined;
}

/** Git's words on one line: every line kept (the cause is often on the last), joined. */
const oneLine = (text: string) =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' | ');

/** A one-line summary for `sparkctl get`: "Synced 1a2b3c4 2m ago from https://…@main" plus every problem (errors, status branch, history rewritten, orphans, invalid files). */
export function describeSyncStatus(status: SyncStatus, now: Date = new Date()): string {
  const ago = (iso: string) => formatAge(now.getTime() - Date.parse(iso));
  const source = `${status.url}@${status.ref}${status.path && status.path !== '.' ? ` (${status.path})` : ''}`;
  const parts = [
    status.revision && status.syncedAt
      ? `Synced ${status.shortRevision ?? status.revision.slice(0, 7)} ${ago(status.syncedAt)} ago from ${source}`
      : `Not synced yet from ${source}`,
  ];
  if (status.appliedFrom)
    parts.push(`the folder still shows that revision of ${status.appliedFrom.url}@${status.appliedFrom.ref} until a sync succeeds`);
  if (status.error)
    parts.push(`last sync ${ago(status.lastAttemptAt)} ago failed: ${status.error.reason}: ${oneLine(status.error.message)}`);
  if (status.historyRewritten) parts.push(`history rewritten (was ${status.historyRewritten.from.slice(0, 7)})`);
  if (status.statusBranch?.error) parts.push(`status branch ${status.statusBranch.name} not pushed: ${oneLine(status.statusBranch.error)}`);
  if (status.orphaned.length) parts.push(`${status.orphaned.length} orphaned (removed from git, kept): ${status.orphaned.join(', ')}`);
  if (status.invalid.length) parts.push(`${status.invalid.length} invalid: ${status.invalid.join(', ')}`);
  return parts.join('; ');
}

/** Every field of the sync status, one per line, for `sparkctl sync --status` (git's messages whole). */
export function describeSyncStatusDetail(status: SyncStatus, now: Date = new Date()): string {
  const lines: string[] = [describeSyncStatus(status, now), ''];
  const add = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') lines.push(`${`${k}:`.padEnd(18)}${v}`);
  };
  add('Remote', status.url);
  add('Ref', status.ref);
  add('Path', status.path);
  add('Prune', String(status.prune));
  add('Revision', status.revision);
  add('Synced at', status.syncedAt);
  if (status.appliedFrom) add('Applied from', `${status.appliedFrom.url}@${status.appliedFrom.ref} (${status.appliedFrom.path})`);
  add('Last attempt', `${status.lastAttemptAt}${status.inProgress ? ' (still running)' : ''}`);
  if (status.historyRewritten) add('History rewritten', `from ${status.historyRewritten.from}`);
  if (status.statusBranch)
    add('Status branch', `${status.statusBranch.name}${status.statusBranch.pushedAt ? `, pushed ${status.statusBranch.pushedAt}` : ''}`);
  add('Orphaned', status.orphaned.join(', '));
  add('Invalid', status.invalid.join(', '));
  if (status.error) lines.push(`Error:            ${status.error.reason}`, ...status.error.message.split('\n').map((l) => `  ${l}`));
  if (status.statusBranch?.error) lines.push('Status branch error:', ...status.statusBranch.error.split('\n').map((l) => `  ${l}`));
  return lines.join('\n');
}

/** kubectl-style age: 45s, 3m, 2h, 5d. */
function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.floor(s / 60)}m`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86_400)}d`;
}

/**
 * The status a syncer starts from when it takes over the jobs path: the previous run's when it synced
 * the same URL, ref and path; otherwise, while the folder still shows an older revision (`shown`), a
 * status saying where that revision came from until a sync succeeds; undefined when nothing is shown.
 */
export function carriedOverStatus(
  previous: SyncStatus | undefined,
  shown: string | undefined,
  base: Pick<SyncStatus, 'url' | 'ref' | 'path' | 'prune' | 'lastAttemptAt' | 'pid' | 'jobsDir' | 'gitTimeoutMs'>,
): SyncStatus | undefined {
  if (previous && previous.url === base.url && previous.ref === base.ref && previous.path === base.path) return previous;
  if (!shown || !/^[0-9a-f]{40,64}$/.test(shown)) return undefined;
  const from = previous?.revision === shown ? previous : undefined;
  return {
    ...base,
    revision: shown,
    shortRevision: shown.slice(0, 7),
    syncedAt: from?.syncedAt ?? base.lastAttemptAt,
    appliedFrom: from ? { url: from.url, ref: from.ref, path: from.path } : { url: '(unknown)', ref: '(earlier run)', path: '.' },
    orphaned: [],
    invalid: [],
  };
}

/** The revision a failed attempt keeps showing, with where it came from (nothing before a first sync). */
export function keptRevision(
  before: SyncStatus | undefined,
  at: string,
): Partial<Pick<SyncStatus, 'revision' | 'shortRevision' | 'syncedAt' | 'appliedFrom' | 'historyRewritten'>> {
  return {
    ...(before?.revision
      ? { revision: before.revision, shortRevision: before.shortRevision ?? before.revision.slice(0, 7), syncedAt: before.syncedAt ?? at }
      : {}),
    ...(before?.appliedFrom ? { appliedFrom: before.appliedFrom } : {}),
    ...(before?.historyRewritten ? { historyRewritten: before.historyRewritten } : {}),
  };
}
