/**
 * The floor under the scale benchmark's cold start: a plain process that, for each manifest,
 * reads it, parses it (yaml, one parse) and atomically rewrites it with a status block (temp
 * file, fsync, rename, fsync of the folder: the durability the controller owes each status),
 * four files at a time like the controller's four workers. Nothing else: no validation, no
 * journal, no job. Run as a child process (`fork` with tsx); it times its own work, after its
 * modules are loaded, and answers with {ms, cpuMs} over IPC.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseDocument } from 'yaml';

/** Rewrites every file with a status; resolves with the wall time and CPU time it took. */
export async function rewriteAll(files: readonly string[], concurrency = 4): Promise<{ ms: number; cpuMs: number }> {
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < files.length; i = next++) await rewriteOne(files[i]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const cpu = process.cpuUsage(cpu0);
  return { ms: performance.now() - t0, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function rewriteOne(path: string): Promise<void> {
  const doc = parseDocument(await readFile(path, 'utf8'));
  doc.set('status', {
    phase: 'Suspended',
    observedSpecHash: randomBytes(32).toString('hex'),
    message: 'suspended by spec.suspend',
    conditions: [{ type: 'Ready', status: 'False', reason: 'Suspended', lastTransitionTime: new Date().toISOString() }],
  });
  const tmp = join(dirname(path), `.floor.${randomBytes(6).toString('hex')}.tmp`);
  const fh = await open(tmp, 'wx', 0o644);
  try {
    await fh.writeFile(doc.toString());
    await fh.sync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  const dir = await open(dirname(path), 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

if (process.send && process.argv[2] === '--child') {
  process.once('message', (m: unknown) => {
    void rewriteAll((m as { files: string[] }).files).then((r) => {
      process.send?.({ type: 'floor', ...r });
      process.disconnect();
    });
  });
  process.send({ type: 'ready' });
}
