import type { Command } from 'commander';
import type { SparkJob } from '../../api/spark-job.js';
import { readJobEvents } from '../../state/read-journal.js';
import { type JobEventRecord } from '../../state/journal-paths.js';
import { currentAttempt, listAttemptLogs, type AttemptLog } from '../attempts.js';
import { checkController, cliContext, requireJobsDir, write } from '../cli-context.js';
import type { JobView } from '../find-job.js';
import { phaseColour } from '../printers/colour.js';
import { renderEventsSection } from '../printers/events-section.js';
import { indentBlock, renderFields, type Field } from '../printers/fields.js';
import { formatAge } from '../printers/format-age.js';
import { knownSecrets, maskEvents } from '../printers/mask-secrets.js';
import { backendName, driverName } from '../printers/job-row.js';
import { cellText, renderTable } from '../printers/table.js';
import { runAction } from '../run-action.js';
import { labelsOf, parseTargets, reportMissing, selectJobs } from '../select-jobs.js';
import { humanizeRetryTime } from '../printers/retry-time.js';
import { renderScheduleDescribe } from '../printers/schedule-describe.js';
import { loadScheduleView } from '../schedule-views.js';
import type { SetExit } from './index.js';

function keyValues(map: Readonly<Record<string, string>> | undefined): string {
  const entries = Object.entries(map ?? {});
  return entries.length === 0 ? '<none>' : entries.map(([k, v]) => `${k}=${v}`).join(', ');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** What runs the executors: none of their own in local mode (the driver runs the tasks). */
function executorsLine(s: SparkJob['spec']): string {
  if (/^local(\[|$)/.test(s.master)) return `none: local mode (${s.master}) runs the tasks in the driver`;
  return `${s.executor.instances} × ${plural(s.executor.cores, 'core')}, ${s.executor.memory} memory${s.executor.totalCores ? `, ${plural(s.executor.totalCores, 'core')} max` : ''}`;
}

/** The spec summary of `describe` (secret env values masked); the dashboard shows the same lines. */
export function specLines(job: SparkJob): Field[] {
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
    [
      'Driver',
      `${plural(s.driver.cores, 'core')}, ${s.driver.memory} memory${s.driver.memoryOverhead ? ` + ${s.driver.memoryOverhead} overhead` : ''}`,
    ],
    ['Executors', executorsLine(s)],
    ['Driver Env', env],
    [
      'Spark Conf',
      Object.entries(s.sparkConf)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(', '),
    ],
    ['Network', s.network],
    ['Volumes', s.volumes.map((v) => `${v.hostPath}:${v.containerPath}${v.readOnly ? ':ro' : ''}`).join(', ')],
    ['Outputs', s.outputs.map((o) => `${o.name} (${o.path})`).join(', ')],
    ['Cache', s.cache.enabled ? 'enabled' : 'disabled'],
    [
      'Restart Policy',
      s.restartPolicy.type === 'Never'
        ? 'Never'
        : `${s.restartPolicy.type} (retries ${s.restartPolicy.onFailureRetries}, interval ${s.restartPolicy.onFailureRetryInterval}s)`,
    ],
    ['Start Deadline', s.startDeadlineSeconds ? `${s.startDeadlineSeconds}s` : ''],
    ['Active Deadline', s.activeDeadlineSeconds ? `${s.activeDeadlineSeconds}s` : ''],
    ['Time To Live', s.timeToLiveSeconds ? `${s.timeToLiveSeconds}s` : ''],
    ['Suspend', String(s.suspend)],
  ];
}

const when = (iso: string | undefined, now: Date) => (iso ? `${iso} (${formatAge(iso, now)} ago)` : '');

/** The whole `describe` text of one job. */
export function renderDescribe(
  view: JobView,
  events: readonly JobEventRecord[],
  logs: readonly AttemptLog[],
  colour: boolean,
  now: Date = new Date(),
): string {
  const st = view.status;
  // An invalid manifest still shows the labels and annotations it has.
  const raw = view.manifest?.metadata as { annotations?: unknown } | undefined;
  const meta = view.job?.metadata ?? {
    labels: labelsOf(view),
    annotations:
      raw?.annotations !== null && typeof raw?.annotations === 'object' ? (raw.annotations as Record<string, string>) : undefined,
  };
  let out = renderFields(
    [
      ['Name', view.name],
      [
        'File',
        view.file ??
          (view.record?.run ? `<none: a run of schedule ${view.record.run.schedule}>` : '<deleted: the controller is releasing it>'),
      ],
      ['Labels', keyValues(meta?.labels)],
      ['Annotations', keyValues(meta?.annotations)],
      ['Created', when(view.createdAt, now)],
    ],
    0,
  );
  if (view.job) out += `Spec:\n${renderFields(specLines(view.job), 2)}`;
  if (view.issues?.length)
    out += `Validation Errors:\n${view.issues.map((i) => `  ${cellText(`${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}`)}\n`).join('')}`;
  const results = st.results?.outputs
    .map((o) => `${o.name} -> ${o.path}${o.bytes !== undefined ? ` (${o.bytes} bytes)` : ' (missing)'}`)
    .join(', ');
  out += `Status:\n${renderFields(
    [
      ['Phase', st.phase, phaseColour(st.phase)],
      ['Message', humanizeRetryTime(st.message ?? '', now)],
      ['Attempts', attemptsLine(view)],
      ['Backend', backendName(view)],
      [
        'Driver',
        st.driver
          ? `${driverName(view)}${st.driver.containerId ? ` (container ${st.driver.containerId.slice(0, 12)})` : ''}${st.driver.agentId ? ` on agent ${st.driver.agentId}` : ''}`
          : '',
      ],
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
    ? indentBlock(
        renderTable(
          ['TYPE', 'STATUS', 'REASON', 'LAST TRANSITION', 'MESSAGE'],
          st.conditions.map((c) => [c.type, c.status, c.reason, formatAge(c.lastTransitionTime, now), c.message || '<none>']),
        ),
        2,
      )
    : '  <none>\n';
  out += 'Attempts:\n';
  out += logs.length
    ? indentBlock(
        renderTable(
          ['ATTEMPT', 'LOG', 'BYTES', 'LAST WRITE'],
          logs.map((l) => [String(l.attempt), l.path, String(l.bytes), formatAge(l.modifiedAt, now)]),
        ),
        2,
      )
    : '  <none>\n';
  out += renderEventsSection(events, colour, now);
  return out;
}

/** The attempt count in the one numbering logs, containers and events use, with this run's submissions and executions. */
function attemptsLine(view: JobView): string {
  const st = view.status;
  return `${currentAttempt(view) ?? 0} in all; this run: ${plural(st.submissionAttempts, 'submission')}, ${plural(st.executionAttempts, 'execution')}`;
}

/** `sparkctl describe NAME`: spec summary, status, conditions, attempts and events of one job. */
export function registerDescribe(program: Command, setExit: SetExit): void {
  program
    .command('describe')
    .description('Show one SparkJob in detail: spec, status, conditions, attempts and events')
    .argument('[names...]', 'SparkJob metadata.names (default: every job)')
    .option('-l, --selector <key=value>', 'only jobs whose labels match (key=value, key!=value, key, !key; comma-separated)')
    .addHelpText(
      'after',
      '\nExamples:\n  sparkctl describe spark-pi\n  sparkctl describe spark-pi wordcount\n  sparkctl describe -l team=geo\n',
    )
    .action((names: string[], opts: { selector?: string }, command: Command) =>
      runAction(setExit, async () => {
        const ctx = cliContext(command);
        const targets = { names, selector: opts.selector };
        const requirements = parseTargets('describe', targets, false);
        await requireJobsDir(ctx);
        await checkController(ctx);
        const { views, missing, schedules } = await selectJobs(ctx, targets, requirements, { includeJournalOnly: true });
        let first = true;
        for (const view of views) {
          const [raw, logs] = await Promise.all([readJobEvents(ctx.stateDir, view.name), listAttemptLogs(ctx.stateDir, view.name)]);
          const events = maskEvents(raw, knownSecrets(view.manifest, view.record));
          await write(ctx, `${first ? '' : '\n'}${renderDescribe(view, events, logs, ctx.colour)}`);
          first = false;
        }
        for (const file of schedules) {
          const schedule = await loadScheduleView(ctx, file);
          const events = maskEvents(
            await readJobEvents(ctx.stateDir, file.name),
            knownSecrets({ spec: file.schedule.spec.template }, undefined),
          );
          await write(ctx, `${first ? '' : '\n'}${renderScheduleDescribe(schedule, events, ctx.colour)}`);
          first = false;
        }
        if (views.length === 0 && schedules.length === 0 && missing.length === 0)
          ctx.err.write(`No SparkJobs found in ${ctx.jobsDir}${requirements ? ` matching -l ${opts.selector}` : ''}.\n`);
        return reportMissing(ctx, missing);
      }),
    );
}
