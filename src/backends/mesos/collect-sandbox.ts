import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { messageOf } from '../../errors.js';
import type { Collected, JobRun } from '../ports.js';
import { sandboxPathOfOutput, taskIdFor } from './build-task-info.js';
import type { FrameworkSession } from './framework-session.js';
import { runExitOf } from './map-task-state.js';
import { envSecretValues, redactSecrets } from '../../secrets/redact.js';
import { downloadFile, readWholeFile, sandboxFilePath } from './sandbox-files.js';

/** Names of the log copies written next to the outputs (output names are DNS labels, so they cannot clash). */
export const LOG_FILES = { stdout: 'stdout.log', stderr: 'stderr.log' } as const;

/**
 * Copies the sandbox stdout/stderr (agent's /files/read, text) and the declared outputs (agent's
 * /files/download, exact bytes) out of the finished task into destDir (`stdout.log`, `stderr.log`, `<output name>`).
 */
export async function collectSandbox(
  session: FrameworkSession,
  run: JobRun,
  taskId: string | undefined,
  agentId: string | undefined,
  destDir: string,
  signal: AbortSignal,
): Promise<Collected> {
  const info = await session.connect(signal);
  const id = taskId ?? taskIdFor(run);
  const status = session.tasks.get(id);
  const exit = status ? runExitOf(status) : undefined;
  const agent = agentId ?? status?.agent_id?.value;
  await mkdir(destDir, { recursive: true });
  if (!agent)
    return {
      exitCode: exit?.exitCode ?? null,
      log: '',
      outputs: run.spec.outputs.map((o) => ({
        name: o.name,
        path: path.join(destDir, o.name),
        error: `output ${o.name}: the driver task never reached an agent`,
      })),
    };
  const origin = await session.agentOrigin(agent, signal);
  const read = (rel: string): Promise<string | 'missing'> =>
    readWholeFile(session.http, origin, sandboxFilePath(info.frameworkId, id, rel), signal);
  const stdout = await read('stdout');
  const stderr = await read('stderr');
  const secrets = [session.secret, ...envSecretValues(run.spec)];
  const out = stdout === 'missing' ? '' : redactSecrets(stdout, secrets);
  const err = stderr === 'missing' ? '' : redactSecrets(stderr, secrets);
  await writeFile(path.join(destDir, LOG_FILES.stdout), out);
  await writeFile(path.join(destDir, LOG_FILES.stderr), err);
  const outputs: Array<{ name: string; path: string; bytes?: number; error?: string }> = [];
  for (const o of run.spec.outputs) {
    const rel = sandboxPathOfOutput(o.path);
    const dest = path.join(destDir, o.name);
    if (rel === undefined) {
      outputs.push({
        name: o.name,
        path: dest,
        error: `${o.path} is directly under / and cannot be mounted from the sandbox; write outputs into a folder`,
      });
      continue;
    }
    try {
      const data = await downloadFile(session.http, origin, sandboxFilePath(info.frameworkId, id, rel), signal);
      if (data === 'missing') {
        outputs.push({ name: o.name, path: dest, error: `output ${o.name}: the driver did not write ${o.path}` });
        continue;
      }
      await writeFile(dest, data);
      outputs.push({ name: o.name, path: dest, bytes: data.length });
    } catch (e) {
      outputs.push({ name: o.name, path: dest, error: `output ${o.name}: ${messageOf(e)}` });
    }
  }
  const log = err === '' ? out : out === '' ? err : `${out}${out.endsWith('\n') ? '' : '\n'}${err}`;
  return { exitCode: exit?.exitCode ?? null, log, outputs };
}
