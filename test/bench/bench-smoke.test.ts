import { beforeAll, describe, expect, it } from 'vitest';
import { runBurst } from '../../bench/burst.js';
import { runMesos } from '../../bench/mesos.js';
import { runOverhead } from '../../bench/overhead.js';
import { SIZES } from '../../bench/run-all.js';
import { runScale } from '../../bench/scale.js';
import { runWaves } from '../../bench/waves.js';
import { ensureTestImages } from '../support/docker.js';

// Smoke runs of every benchmark at tiny sizes, so they keep working; no timing is asserted,
// only that each ran to the end and produced figures in a sane range.
const positive = (x: number) => expect(Number.isFinite(x) && x > 0, `${x} is a positive number`).toBe(true);
const saneRatio = (x: number) => {
  positive(x);
  expect(x).toBeLessThan(100);
};

describe('benchmarks (smoke sizes)', () => {
  beforeAll(async () => {
    await ensureTestImages();
  });

  it('overhead: runs the job through sparkctl and the engine API and compares them', { timeout: 180_000 }, async () => {
    const r = await runOverhead(SIZES.smoke.overhead);
    expect(r.sparkctl.n).toBe(SIZES.smoke.overhead.runs);
    expect(r.baseline.n).toBe(SIZES.smoke.overhead.runs);
    for (const s of [r.sparkctl, r.baseline]) {
      positive(s.median);
      expect(s.p95).toBeGreaterThanOrEqual(s.median);
      expect(s.median).toBeLessThan(60_000);
    }
    saneRatio(r.ratio);
    saneRatio(r.p95Ratio);
    positive(r.controllerCpuMsPerJob);
  });

  it('waves: drops a small batch into a warm controller and compares it with a pool as wide', { timeout: 180_000 }, async () => {
    const r = await runWaves(SIZES.smoke.waves);
    expect(r.sparkctl.n).toBe(SIZES.smoke.waves.rounds);
    expect(r.baseline.n).toBe(SIZES.smoke.waves.rounds);
    expect(r.concurrency).toBeGreaterThanOrEqual(1);
    positive(r.sparkctl.median);
    positive(r.baseline.median);
    positive(r.controllerCpuMsPerJob);
    saneRatio(r.ratio);
  });

  it('burst: drops jobs at once and reports jobs/min for both sides', { timeout: 180_000 }, async () => {
    const r = await runBurst(SIZES.smoke.burst);
    expect(r.jobs).toBe(SIZES.smoke.burst.jobs);
    expect(r.concurrency).toBeGreaterThanOrEqual(1);
    positive(r.sparkctlJobsPerMin);
    positive(r.baselineJobsPerMin);
    positive(r.controllerCpuMs);
    saneRatio(r.ratio);
  });

  it('scale: converges on suspended manifests and times edits, idle CPU and RSS', { timeout: 240_000 }, async () => {
    const r = await runScale(SIZES.smoke.scale);
    positive(r.emptyRssBytes);
    expect(r.points.map((p) => p.manifests)).toEqual([...SIZES.smoke.scale.sizes]);
    for (const p of r.points) {
      expect(p.converged).toBe(true);
      expect(p.statusesWritten).toBe(p.manifests);
      positive(p.coldStartMs);
      expect(p.coldStartMs).toBeGreaterThanOrEqual(p.convergeMs);
      expect(p.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
      expect(p.rssBytes).toBeLessThan(4 * 1024 ** 3);
      expect(p.idleCpuPercent).toBeGreaterThanOrEqual(0);
      expect(p.idleCpuPercent).toBeLessThan(200);
      expect(p.editToStatus.n).toBe(SIZES.smoke.scale.edits);
      positive(p.editToStatus.median);
      positive(p.floorMs);
      saneRatio(p.floorRatio);
      expect(p.peakRssBytes).toBeGreaterThanOrEqual(p.rssBytes * 0.5);
    }
  });

  it('mesos: runs tasks through the emulated master and times offer to launch', { timeout: 240_000 }, async () => {
    const r = await runMesos(SIZES.smoke.mesos);
    expect(r.launches).toBe(SIZES.smoke.mesos.tasks);
    expect(r.launchAccepts).toBeGreaterThan(0);
    expect(r.launchAccepts).toBeLessThanOrEqual(r.launches);
    expect(r.offersSent).toBeGreaterThanOrEqual(r.launchAccepts);
    positive(r.offerToLaunch.median);
    expect(r.offerToLaunch.max).toBeLessThan(60_000);
    positive(r.sparkctlTasksPerMin);
    positive(r.baselineTasksPerMin);
    saneRatio(r.ratio);
  });
});
