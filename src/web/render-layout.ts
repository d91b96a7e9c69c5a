import type { Phase } from '../api/status.js';
import { describeSyncStatus, type SyncStatus } from '../gitops/sync-status.js';
import { html, type SafeHtml } from './html.js';
import { PHASE_ICONS } from './job-row-model.js';

/** A phase as a coloured badge with an icon and its name (colour is not the only signal). */
export function phaseBadge(phase: Phase): SafeHtml {
  return html`<span class="phase phase-${phase.toLowerCase()}" data-phase="${phase}"><span class="icon" aria-hidden="true">${PHASE_ICONS[phase]}</span> <span class="phase-text">${phase}</span></span>`;
}

/** The header line on the git sync state: revision, time, last error (or that the folder is not synced from git). */
function syncHeader(sync: SyncStatus | undefined): SafeHtml {
  if (!sync) return html`<p class="sync" id="sync">Jobs folder: not synced from git.</p>`;
  const problem = sync.error
    ? html` <span class="sync-error" role="alert">Last sync failed (${sync.error.reason}, ${sync.lastAttemptAt}): ${sync.error.message}</span>`
    : '';
  return html`<p class="sync" id="sync" title="${describeSyncStatus(sync)}">Git: <span class="revision">${sync.shortRevision ?? sync.revision ?? 'not synced yet'}</span>${sync.syncedAt ? html` synced <time datetime="${sync.syncedAt}">${sync.syncedAt}</time>` : ''} from ${sync.url}@${sync.ref}.${problem}</p>`;
}

/** A whole page: the header with the sync state, the body, the package's stylesheet and script (no inline code). */
export function renderLayout(title: string, sync: SyncStatus | undefined, body: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · sparkctl</title>
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/app.css">
<script src="/static/app.js" defer></script>
</head>
<body>
<header>
<nav aria-label="Main"><a href="/" class="brand">sparkctl</a></nav>
${syncHeader(sync)}
</header>
<main id="main">
${body}
</main>
</body>
</html>
`.value;
}
