import type { Command } from 'commander';
import type { SparkJob } from '../../api/spark-job.js';
import { readJobEvents } from '../../state/read-journal.js';
import { type JobEventRecord } from '../../state/journal-paths.js';
import { listAttemptLogs, type AttemptLog } from '../attempts.js';
import { checkController, cliContext, requireJobsDir, write } from '../cli-context.js';
import { findJob, type JobView } from '../find-job.js';
import { eventColour, paint, phaseColour } from '../printers/colour.js';
import { indentBlock, renderFields, type Field } from '../printers/fields.js';
import { formatAge } from '../printers/format-age.js';
import { knownSecrets, maskEvents } from '../printers/mask-secrets.js';
import { backendName, driverName } from '../printers/job-row.js';
import { cellText, renderTable } from '../printers/table.js';
import { runAction } from '../run-action.js';
import type { SetExit } from './index.js';

function keyValues(map: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

function specLines(job: SparkJob): Field[] {
  const s = job.spec;
  const env = s.driver.env.map((e) => `${e.name}=${e.secret ? '******' : e.value}`).join(', ');
  return [
    ['Image', `${s.image} (pull ${s.imagePullPolicy})`],
    ['Type', s.type],
    ['Master', s.master],
    ['Mode', s.mode],
    ['Application', s.mainApplicationFile],
    ['Main Class', s.mainClass ?? ''],
    ['Arguments', s.arguments.length ? s.arguments.join(' ') : '<none>'],
    ['Driver', `${s.driver.cores} cores, ${s.driver.memory} memory${s.driver.memoryOverhead ? ` + ${s.driver.memoryOverhead} overhead` : ''}`],
    ['Executors', `${s.executor.instances} × ${s.executor.cores} cores, ${s.executor.memory} memory${s.executor.totalCores ? `, ${s.executor.totalCores} cores max` : ''}`],
    ['Driver Env', env],
    ['Spark Conf', Object.entries(s.sparkConf).map(([k, v]) => `${k}=${String(v)}`).join(', ')],
    ['Network', s.network],
    ['Volumes', s.volumes.map((v) => `${v.hostPath}:${v.containerPath}${v.readOnly ? ':ro' : ''}`).join(', ')],
    ['Outputs', s.outputs.map((o) => `${o.name} (${o.path})`).join(', ')],
    ['Cache', s.cache.enabled ? 'enabled' : 'disabled'],
    ['Restart Policy', s.restartPolicy.type === 'Never' ? 'Never' : `${s.restartPolicy.type} (retries ${s.restartPolicy.onFailureRetries}, interval ${s.restartPolicy.onFailureRetryInterval}s)`],
    ['Start Deadline', s.startDeadlineSeconds ? `${s.startDeadlineSeconds}s` : ''],
    ['Active Deadline', s.activeDeadlineSeconds ? `${s.activeDeadlineSeconds}s` : ''],
    ['Time To Live', s.timeToLiveSeconds ? `${s.timeToLiveSeconds}s` : ''],
    ['Suspend', String(s.suspend)],
  ];
}

const when = (iso: string | undefined, now: Date) => (iso ? `${iso} (${formatAge(iso, now)} ago)` : '');

/** The whole `describe` text of one job. */
export function renderDescribe(view: JobView, events: readonly JobEventRecord[], logs: readonly AttemptLog[], colour: boolean, now: Date = new Date()): string {
  const st = view.status;
  const meta = view.job?.metadata;
  let out = renderFields(
    [
      ['Name', view.name],
      ['File', view.file ?? '<deleted: the controller is releasing it>'],
      ['Labels', keyValues(meta?.labels)],
      ['Annotations', keyValues(meta?.annotations)],
      ['Created', when(view.createdAt, now)],
    ],
    0,
  );
  if (view.job) out += `Spec:\n${renderFields(specLines(view.job), 2)}`;
  if (view.issues?.length) out += `Validation Errors:\n${view.issues.map((i) => `  ${cellText(`${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}`)}\n`).join('')}`;
  const results = st.results?.outputs.map((o) => `${o.name} -> ${o.path}${o.bytes !== undefined ? ` (${o.bytes} bytes)` : ' (missing)'}`).join(', ');
  out += `Status:\n${renderFields(
    [
      ['Phase', st.phase, phaseColour(st.phase)],
      ['Message', st.message ?? ''],
      ['Attempts', `${st.submissionAttempts} submission, ${st.executionAttempts} execution`],
      ['Backend', backendName(view)],
      ['Driver', st.driver ? `${driverName(view)}${st.driver.containerId ? ` (container ${st.driver.containerId.slice(0, 12)})` : ''}${st.driver.agentId ? ` on agent ${st.driver.agentId}` : ''}` : ''],
      ['Start Time', when(st.startTime, now)],
      ['Completion Time', when(st.completionTime, now)],
      ['Exit Code', st.exitCode === undefined ? '' : String(st.exitCode)],
      ['Results', results ? `${results}${st.results?.cached ? ' (from the cache)' : ''}` : ''],
      ['Observed Spec', st.observedSpecHash?.slice(0, 12) ?? ''],
      ['Last Rerun', st.lastHandledRerunAt ?? ''],
    ],
    2,
    colour,
  )}`;
  out += 'Conditions:\n';
  out += st.conditions.length
    ? indentBlock(renderTable(['TYPE', 'STATUS', 'REASON', 'LAST TRANSITION', 'MESSAGE'], st.conditions.map((c) => [c.type, c.status, c.reason, formatAge(c.lastTransitionTime, now), c.message || '<none>'])), 2)
    : '  <none>\n';
  out += 'Attempts:\n';
  out += logs.length
    ? indentBlock(renderTable(['ATTEMPT', 'LOG', 'BYTES', 'LAST WRITE'], logs.map((l) => [String(l.attempt), l.path, String(l.bytes), formatAge(l.modifiedAt, now)])), 2)
    : '  <none>\n';
  out += 'Events:\n';
  out += events.length
    ? indentBlock(
        renderTable(
          ['TYPE', 'REASON', 'AGE', 'MESSAGE'],
          events.map((e) => [e.type, e.reason, formatAge(e.time, now), e.message]),
          colour ? (row, col, padded) => (col === 0 ? paint(padded, eventColour(events[row]?.type ?? ''), true) : padded) : undefined,
        ),
        2,
      )
    : '  <none>\n';
  return out;
}

/** `sparkctl describe NAME`: spec summary, status, conditions, attempts and events of one job. */
export function registerDescribe(program: Command, setExit: SetExit): void {
  program
    .command('describe')
    .description('Show one SparkJob in detail: spec, status, conditions, attempts and events')
    .argument('<name>', 'the SparkJob metadata.name')
    .addHelpText('after', '\nExample:\n  sparkctl describe spark-pi\n')
    .action((name: string, _opts: unknown, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        await requireJobsDir(ctx);
        await checkController(ctx);
        const view = await findJob(ctx, name);
        const [raw, logs] = await Promise.all([readJobEvents(ctx.stateDir, view.name), listAttemptLogs(ctx.stateDir, view.name)]);
        const events = maskEvents(raw, knownSecrets(view.manifest, view.record));
        await write(ctx, renderDescribe(view, events, logs, ctx.colour));
        return 0;
      }),
    );
}
