/**
 * Takes the README's screenshots of the dashboard: a real controller run on the Docker engine
 * (test images built by scripts/test-env.sh), the pages in headless chromium, PNGs in docs/images/.
 * Run: `npx tsx scripts/dashboard-screenshots.ts`.
 */
import { join } from 'node:path';
import { ensureTestImages } from '../test/support/docker.js';
import { createHarness, fakeJob, phaseIs, waitForStatus } from '../test/support/controller-harness.js';
import { launchChromium } from '../test/web/browser.js';
import { serveDashboard } from '../test/web/dashboard-server.js';

const out = join(import.meta.dirname, '..', 'docs', 'images');
await ensureTestImages();
const h = await createHarness();
try {
  const labelled = (name: string, team: string, extra = '') =>
    fakeJob(name, extra).replace(
      `  name: ${name}\n`,
      `  name: ${name}\n  labels: {team: ${team}}\n  annotations: {owner: "<b>geo team</b>"}\n`,
    );
  await h.write(
    'spark-pi.yaml',
    labelled(
      'spark-pi',
      'geo',
      '  sparkConf: {spark.fake.output: /tmp/result.txt, spark.fake.logLines: "6"}\n  outputs: [{name: result, path: /tmp/result.txt}]\n',
    ),
  );
  await h.write('nightly-etl.yaml', labelled('nightly-etl', 'data', '  sparkConf: {spark.fake.exitCode: "3"}\n'));
  await h.write('ingest-tiles.yaml', labelled('ingest-tiles', 'geo', '  sparkConf: {spark.fake.sleepSeconds: "120"}\n'));
  await h.write('backfill-2019.yaml', labelled('backfill-2019', 'data', '  suspend: true\n'));
  await h.write('typo.yaml', fakeJob('typo').replace('imagePullPolicy: Never', 'imagePullPolicy: Sometimes'));
  await h.start();
  await waitForStatus(join(h.jobsDir, 'spark-pi.yaml'), phaseIs('Succeeded'));
  await waitForStatus(join(h.jobsDir, 'nightly-etl.yaml'), phaseIs('Failed'));
  await waitForStatus(join(h.jobsDir, 'ingest-tiles.yaml'), phaseIs('Running'));
  const d = await serveDashboard(h);
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 640 } });
    await page.goto(`${d.url}/`);
    await page.screenshot({ path: join(out, 'dashboard-jobs.png') });
    await page.setViewportSize({ width: 1280, height: 1500 });
    await page.goto(`${d.url}/jobs/spark-pi`);
    await page.screenshot({ path: join(out, 'dashboard-job.png'), fullPage: true });
  } finally {
    await browser.close();
    await d.close();
  }
} finally {
  await h.close();
}
console.log(`Wrote ${join(out, 'dashboard-jobs.png')} and ${join(out, 'dashboard-job.png')}`);
