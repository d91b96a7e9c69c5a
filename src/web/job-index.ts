import { loadJobViews, type JobView } from '../cli/find-job.js';
import { KeptReadCache } from '../cli/read-cache.js';
import { rowOf, rowKey, type JobRow } from './job-row-model.js';

/** How long after the last page view the index keeps reloading without open live streams. */
const IDLE_AFTER_MS = 60_000;

/** The least time between two writes of the read cache the index shares with the CLI. */
const CACHE_SAVE_INTERVAL_MS = 30_000;

/** A load this quick is awaited by a request that finds the views stale. */
const CHEAP_LOAD_MS = 250;

/** Listener of changed rows: every row whose cells differ from the previous load, and the names gone. */
export type RowListener = (changed: readonly JobRow[], removed: readonly string[]) => void;

/**
 * The jobs as the CLI sees them (loadJobViews: manifests joined with the journal, secrets masked),
 * kept in memory so a page renders without reading 10,000 files per request. It reloads in the
 * background every `liveIntervalMs` (or twice the last load's duration when that is longer, so a
 * large folder costs at most a third of a core) and tells live streams which rows changed; it stops
 * a minute after the last page view when no stream is open (the next view shows the last load and
 * starts it again).
 */
export class JobIndex {
  private views: JobView[] | undefined;
  private rows = new Map<string, { key: string; row: JobRow; generation: number }>();
  /** Counts loads; each views array remembers the load it came from. */
  private generation = 0;
  private readonly generations = new WeakMap<readonly JobView[], number>();
  private loadedAt = 0;
  private loading: Promise<JobView[]> | undefined;
  private readonly listeners = new Set<RowListener>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private lastLoadMs = 0;
  private lastUsed = 0;
  /**
   * The CLI's read cache in the state dir (cli/read-cache.ts), kept across loads: the first load
   * reads only what changed since the last `sparkctl get` (or the last load here), each later one
   * only what changed since the one before.
   */
  private readonly cache: KeptReadCache;

  constructor(
    private readonly ctx: { jobsDir: string; stateDir: string },
    private readonly options: { liveIntervalMs?: number } = {},
  ) {
    this.cache = new KeptReadCache(ctx, CACHE_SAVE_INTERVAL_MS);
  }

  /** The current views (loading them on first use, then kept fresh in the background). */
  async current(): Promise<JobView[]> {
    this.lastUsed = Date.now();
    this.schedule();
    if (!this.views) return this.reload();
    // After an idle pause the views are old: wait for a fresh load when loads are cheap (small folders).
    const stale = Date.now() - this.loadedAt > 2 * Math.max(this.options.liveIntervalMs ?? 1000, 2 * this.lastLoadMs);
    return stale && this.lastLoadMs <= CHEAP_LOAD_MS ? this.reload() : this.views;
  }

  /** The load a views array came from: a page passes it to its live stream, which first sends what changed since. */
  generationOf(views: readonly JobView[]): number {
    return this.generations.get(views) ?? 0;
  }

  /** Reloads now (one load at a time; callers share it). */
  reload(): Promise<JobView[]> {
    const started = Date.now();
    this.loading ??= this.cache
      .current()
      .then((cache) => loadJobViews(this.ctx, { includeJournalOnly: true, cache }))
      .then((views) => {
        this.publish(views);
        this.views = views;
        this.loadedAt = Date.now();
        this.lastLoadMs = this.loadedAt - started;
        return views;
      })
      .finally(() => {
        this.loading = undefined;
      });
    return this.loading;
  }

  /** Subscribes to changed rows; with `since` (a generation), first hears of the rows changed after that load. */
  subscribe(listener: RowListener, since?: number): () => void {
    this.listeners.add(listener);
    this.schedule();
    if (since !== undefined) {
      const missed = [...this.rows.values()].filter((r) => r.generation > since).map((r) => r.row);
      if (missed.length > 0) listener(missed, []);
    }
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Stops the live reloads. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.listeners.clear();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(
      () => {
        this.reload()
          .catch(() => undefined)
          .finally(() => {
            this.timer = undefined;
            // Nobody looked for a while and no stream is open: stop reading the folder until someone does.
            if (this.listeners.size > 0 || Date.now() - this.lastUsed < IDLE_AFTER_MS) this.schedule();
          });
      },
      Math.max(this.options.liveIntervalMs ?? 1000, 2 * this.lastLoadMs),
    );
    this.timer.unref();
  }

  private publish(views: readonly JobView[]): void {
    const generation = ++this.generation;
    this.generations.set(views, generation);
    const first = this.views === undefined;
    const next = new Map<string, { key: string; row: JobRow; generation: number }>();
    const changed: JobRow[] = [];
    for (const v of views) {
      const row = rowOf(v);
      const key = rowKey(row);
      if (next.has(row.name)) continue;
      const before = this.rows.get(row.name);
      const same = before !== undefined && before.key === key;
      next.set(row.name, { key, row, generation: same ? before.generation : generation });
      if (!first && !same) changed.push(row);
    }
    const removed = first ? [] : [...this.rows.keys()].filter((n) => !next.has(n));
    this.rows = next;
    if (changed.length === 0 && removed.length === 0) return;
    for (const l of this.listeners) l(changed, removed);
  }
}
