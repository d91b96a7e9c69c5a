import type { AttemptLog } from '../cli/attempts.js';
import { specLines } from '../cli/commands/describe.js';
import type { JobView } from '../cli/find-job.js';
import { formatAge } from '../cli/printers/format-age.js';
import type { JobEventRecord } from '../state/journal-paths.js';
import { html, segment, type SafeHtml } from './html.js';
import type { OutputFile } from './job-files.js';
import { phaseBadge } from './render-layout.js';

/** What the job page shows besides the view. */
export interface JobPageData {
  readonly events: readonly JobEventRecord[];
  readonly logs: readonly AttemptLog[];
  /** The attempt whose log is shown (undefined when none has a log). */
  readonly attempt?: number;
  readonly log: { readonly text: string; readonly size: number; readonly cut: boolean };
  /** Whether the shown log may still grow (the page then follows it). */
  readonly follow: boolean;
  readonly outputs: readonly OutputFile[];
  /** The index load the view comes from (the live stream sends what changed since). */
  readonly generation: number;
}

const dl = (rows: ReadonlyArray<readonly [string, string | SafeHtml]>) =>
  html`<dl class="fields">${rows.filter(([, v]) => v !== '').map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`;

const map = (m: Readonly<Record<string, string>> | undefined) => {
  const e = Object.entries(m ?? {});
  return e.length === 0 ? '<none>' : html`<ul class="kv">${e.map(([k, v]) => html`<li><code>${k}</code>=<code>${v}</code></li>`)}</ul>`;
};

const when = (iso: string | undefined, now: Date) => (iso ? html`<time datetime="${iso}">${iso}</time> (${formatAge(iso, now)} ago)` : '');

function table(
  caption: string,
  headers: readonly string[],
  rows: ReadonlyArray<ReadonlyArray<string | number | SafeHtml>>,
  id: string,
): SafeHtml {
  if (rows.length === 0) return html`<p class="empty" id="${id}">No ${caption.toLowerCase()}.</p>`;
  return html`<table id="${id}"><caption>${caption}</caption><thead><tr>${headers.map((h) => html`<th scope="col">${h}</th>`)}</tr></thead>
<tbody>${rows.map((r) => html`<tr>${r.map((c) => html`<td>${c}</td>`)}</tr>`)}</tbody></table>`;
}

/** The body of `/jobs/NAME`: summary, status, conditions, events, attempts, the driver log (followed live) and outputs. */
export function renderJobPage(view: JobView, data: JobPageData, now: Date = new Date()): SafeHtml {
  const st = view.status;
  const meta = view.job?.metadata;
  const name = segment(view.name);
  const summary = dl([
    ['File', view.file ?? '<deleted: the controller is releasing it>'],
    ['Labels', map(meta?.labels)],
    ['Annotations', map(meta?.annotations)],
    ['Created', when(view.createdAt, now)],
    ...(view.job ? specLines(view.job).map(([k, v]) => [k, v] as const) : []),
  ]);
  const issues = view.issues?.length
    ? html`<h2>Validation errors</h2><ul class="problems">${view.issues.map((i) => html`<li>${i.line}:${i.col}: ${i.path ? `${i.path}: ` : ''}${i.message}</li>`)}</ul>`
    : '';
  const status = dl([
    ['Phase', html`<span id="job-phase" data-live="/events?name=${name}&amp;since=${data.generation}">${phaseBadge(st.phase)}</span>`],
    ['Message', html`<span id="job-message">${st.message ?? ''}</span>`],
    ['Attempts', `${st.executionAttempts} execution, ${st.submissionAttempts} submission`],
    ['Started', when(st.startTime, now)],
    ['Completed', when(st.completionTime, now)],
    ['Exit code', st.exitCode === undefined ? '' : String(st.exitCode)],
    ['Backend', st.driver?.backend ?? ''],
    ['Driver', st.driver ? (st.driver.containerName ?? st.driver.containerId ?? st.driver.taskId ?? '') : ''],
    ['Cached results', st.results?.cached ? 'yes' : ''],
  ]);
  const conditions = table(
    'Conditions',
    ['Type', 'Status', 'Reason', 'Message', 'Last transition'],
    st.conditions.map((c) => [c.type, c.status, c.reason, c.message, c.lastTransitionTime]),
    'conditions',
  );
  const events = table(
    'Events',
    ['Age', 'Type', 'Reason', 'Attempt', 'Message'],
    data.events.map((e) => [
      html`<time datetime="${e.time}">${formatAge(e.time, now)}</time>`,
      e.type,
      e.reason,
      e.attempt ?? '',
      e.message,
    ]),
    'events',
  );
  const attempts = table(
    'Attempts',
    ['Attempt', 'Log size', 'Last written'],
    data.logs.map((l) => [
      html`<a href="/jobs/${name}?attempt=${l.attempt}#log"${l.attempt === data.attempt ? html` aria-current="true"` : ''}>Attempt ${l.attempt}</a>`,
      `${l.bytes} bytes`,
      l.modifiedAt,
    ]),
    'attempts',
  );
  const follow =
    data.follow && data.attempt !== undefined
      ? html` data-follow="/jobs/${name}/log?attempt=${data.attempt}&amp;from=${data.log.size}"`
      : '';
  const log =
    data.attempt === undefined
      ? html`<p class="empty" id="log">No driver log yet.</p>`
      : html`${data.log.cut ? html`<p class="notice">Showing the end of the log.</p>` : ''}<pre id="log" class="log" tabindex="0" aria-label="Driver log of attempt ${data.attempt}"${follow}>${data.log.text}</pre>`;
  const outputs = table(
    'Outputs',
    ['Attempt', 'File', 'Size'],
    data.outputs.map((o) => [
      o.attempt,
      html`<a href="/jobs/${name}/outputs/${o.attempt}/${segment(o.file)}" download>${o.file}</a>`,
      `${o.bytes} bytes`,
    ]),
    'outputs',
  );
  return html`<h1>SparkJob <span class="job-name">${view.name}</span></h1>
<section aria-labelledby="h-summary"><h2 id="h-summary">Summary</h2>${summary}${issues}</section>
<section aria-labelledby="h-status"><h2 id="h-status">Status</h2>${status}${conditions}</section>
<section aria-labelledby="h-events"><h2 id="h-events">Events</h2>${events}</section>
<section aria-labelledby="h-attempts"><h2 id="h-attempts">Attempts</h2>${attempts}</section>
<section aria-labelledby="h-log"><h2 id="h-log">Driver log${data.attempt !== undefined ? ` (attempt ${data.attempt})` : ''}</h2>${log}</section>
<section aria-labelledby="h-outputs"><h2 id="h-outputs">Outputs</h2>${outputs}</section>`;
}
