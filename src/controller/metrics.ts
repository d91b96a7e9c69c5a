import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PHASES, type Phase } from '../api/status.js';

/** What the metrics read from a running controller at scrape time. */
export interface MetricsSource {
  phases(): Map<string, Phase>;
  readonly queueDepth: number;
}

/** The controller's Prometheus metrics; `onPhase` and `onReconcile` are the Controller's hooks. */
export interface ControllerMetrics {
  readonly registry: Registry;
  /** Reads job phases and the queue depth from this source on every scrape. */
  attach(source: MetricsSource): void;
  /** Controller hook: a job's phase (or reason) changed. */
  onPhase(name: string, from: Phase | undefined, to: Phase): void;
  /** Controller hook: one reconcile of a manifest took `seconds`. */
  onReconcile(seconds: number, ok: boolean): void;
}

// Phases a job waits in before its driver runs: start latency counts from the first of them.
const WAITING: ReadonlySet<Phase> = new Set(['Pending', 'Connecting', 'RequestingResources']);

/**
 * Builds the metrics on a registry of their own (so several controllers in one process do not
 * clash), with Node's default process metrics under the `sparkctl_` prefix.
 */
export function createControllerMetrics(options: { now?: () => number; defaultMetrics?: boolean } = {}): ControllerMetrics {
  const now = options.now ?? (() => performance.now() / 1000);
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'sparkctl_' });
  let source: MetricsSource | undefined;

  new Gauge({
    name: 'sparkctl_jobs',
    help: 'Jobs the controller knows, by phase',
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      const counts = new Map<Phase, number>(PHASES.map((p) => [p, 0]));
      for (const phase of source?.phases().values() ?? []) counts.set(phase, (counts.get(phase) ?? 0) + 1);
      for (const [phase, n] of counts) this.set({ phase }, n);
    },
  });
  new Gauge({
    name: 'sparkctl_queue_depth',
    help: 'Manifests waiting for a reconcile worker',
    registers: [registry],
    collect() {
      this.set(source?.queueDepth ?? 0);
    },
  });
  const reconcile = new Histogram({
    name: 'sparkctl_reconcile_duration_seconds',
    help: 'Time one reconcile of a manifest took',
    labelNames: ['result'],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const startLatency = new Histogram({
    name: 'sparkctl_job_start_latency_seconds',
    help: 'Time from a job (or retry) waiting to start until its driver ran (Pending to Running)',
    buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const submissions = new Counter({
    name: 'sparkctl_job_submissions_total',
    help: 'Submission attempts started (entries into Connecting)',
    registers: [registry],
  });
  const failures = new Counter({ name: 'sparkctl_job_failures_total', help: 'Jobs that ended Failed', registers: [registry] });
  const retries = new Counter({
    name: 'sparkctl_job_retries_total',
    help: 'Failed attempts followed by a retry (entries into Retrying)',
    registers: [registry],
  });

  const waitingSince = new Map<string, number>();

  return {
    registry,
    attach(s) {
      source = s;
    },
    onPhase(name, from, to) {
      if (from === to) return;
      if (to === 'Connecting' && from !== 'RequestingResources') submissions.inc();
      if (to === 'Failed') failures.inc();
      if (to === 'Retrying') retries.inc();
      if (WAITING.has(to)) {
        if (!waitingSince.has(name)) waitingSince.set(name, now());
      } else if (to === 'Running') {
        const since = waitingSince.get(name);
        if (since !== undefined) startLatency.observe(Math.max(0, now() - since));
        waitingSince.delete(name);
      } else {
        waitingSince.delete(name);
      }
    },
    onReconcile(seconds, ok) {
      reconcile.observe({ result: ok ? 'ok' : 'error' }, seconds);
    },
  };
}
