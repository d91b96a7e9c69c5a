import { PHASES } from '../api/status.js';
import type { JobView } from '../cli/find-job.js';
import { matchesLabels } from '../cli/label-selector.js';
import { html, segment, type SafeHtml } from './html.js';
import { rowOf, type JobRow } from './job-row-model.js';
import { pageHref, PAGE_SIZE, type ListQuery } from './list-query.js';
import { phaseBadge } from './render-layout.js';

/** The views a query selects, in name order. */
export function filterViews(views: readonly JobView[], q: ListQuery): JobView[] {
  if (!q.phase && q.requirements.length === 0) return [...views];
  return views.filter(
    (v) =>
      (!q.phase || v.status.phase === q.phase) && (q.requirements.length === 0 || matchesLabels(v.job?.metadata.labels, q.requirements)),
  );
}

/** One table row; `data-name` lets the live script find it. */
export function renderRow(r: JobRow): SafeHtml {
  return html`<tr data-name="${r.name}">
<td class="kind">${r.kind}</td>
<th scope="row"><a href="/jobs/${segment(r.name)}">${r.name}</a></th>
<td class="col-phase">${phaseBadge(r.phase)}</td>
<td class="col-attempts num">${r.attempts}</td>
<td class="col-age"><time datetime="${r.createdAt ?? ''}">${r.age}</time></td>
<td class="col-message">${r.message}</td>
<td class="col-backend">${r.backend}</td>
</tr>`;
}

function filterForm(q: ListQuery): SafeHtml {
  return html`<form method="get" action="/" class="filters" role="search" aria-label="Filter jobs">
<label for="f-phase">Phase</label>
<select id="f-phase" name="phase">
<option value="">All phases</option>
${PHASES.map((p) => html`<option value="${p}"${q.phase === p ? html` selected` : ''}>${p}</option>`)}
</select>
<label for="f-label">Labels</label>
<input id="f-label" name="label" type="text" value="${q.label}" placeholder="team=geo,tier!=batch" aria-describedby="f-label-help">
<span id="f-label-help" class="help">kubectl-style selector</span>
<button type="submit">Filter</button>
</form>`;
}

/** The body of `/`: filter form, one page of the jobs table, pagination links; `generation` is the index load the rows come from. */
export function renderJobList(views: readonly JobView[], q: ListQuery, generation: number, now: Date = new Date()): SafeHtml {
  const matched = filterViews(views, q);
  const pages = Math.max(1, Math.ceil(matched.length / PAGE_SIZE));
  const page = Math.min(q.page, pages);
  const shown = matched.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
  const first = matched.length === 0 ? 0 : (page - 1) * PAGE_SIZE + 1;
  const problems = q.problems.length ? html`<ul class="problems" role="alert">${q.problems.map((p) => html`<li>${p}</li>`)}</ul>` : '';
  const nav = html`<nav class="pager" aria-label="Pages">
${page > 1 ? html`<a href="${pageHref(q, page - 1)}" rel="prev">← Previous</a>` : ''}
<span>Page ${page} of ${pages}</span>
${page < pages ? html`<a href="${pageHref(q, page + 1)}" rel="next">Next →</a>` : ''}
</nav>`;
  return html`<h1>Jobs</h1>
${filterForm(q)}
${problems}
<p id="live-notice" class="notice" hidden><a href="${pageHref(q, page)}">The job list changed: reload</a></p>
<table class="jobs" data-live="/events?since=${generation}">
<caption>${matched.length === views.length ? `${views.length} jobs` : `${matched.length} of ${views.length} jobs`}${matched.length ? `, showing ${first}–${first + shown.length - 1}` : ''}</caption>
<thead><tr><th scope="col">Kind</th><th scope="col">Name</th><th scope="col">Phase</th><th scope="col">Attempts</th><th scope="col">Age</th><th scope="col">Message</th><th scope="col">Backend</th></tr></thead>
<tbody>
${shown.map((v) => renderRow(rowOf(v, now)))}
</tbody>
</table>
${matched.length === 0 ? html`<p class="empty">No jobs match.</p>` : ''}
${nav}`;
}
