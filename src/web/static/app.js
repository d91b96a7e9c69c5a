// sparkctl dashboard: live rows (server-sent events) and driver log follow. The pages work without it.
'use strict';

/** Sets a phase badge (colour class, icon, text) from a row; text only, never markup. */
function setPhase(badge, phase, icon) {
  if (!badge) return;
  badge.className = 'phase phase-' + String(phase).toLowerCase();
  badge.dataset.phase = phase;
  badge.querySelector('.icon').textContent = icon;
  badge.querySelector('.phase-text').textContent = phase;
}

function liveTable(table) {
  const notice = document.getElementById('live-notice');
  const source = new EventSource(table.dataset.live);
  source.addEventListener('row', (e) => {
    const row = JSON.parse(e.data);
    const tr = table.querySelector('tr[data-name="' + CSS.escape(row.name) + '"]');
    if (!tr) {
      if (notice) notice.hidden = false;
      return;
    }
    setPhase(tr.querySelector('.phase'), row.phase, row.icon);
    tr.querySelector('.col-attempts').textContent = String(row.attempts);
    tr.querySelector('.col-message').textContent = row.message;
    tr.querySelector('.col-backend').textContent = row.backend;
    tr.classList.add('changed');
  });
  source.addEventListener('removed', () => {
    if (notice) notice.hidden = false;
  });
}

function liveJob(holder) {
  const source = new EventSource(holder.dataset.live);
  source.addEventListener('row', (e) => {
    const row = JSON.parse(e.data);
    setPhase(holder.querySelector('.phase'), row.phase, row.icon);
    const message = document.getElementById('job-message');
    if (message) message.textContent = row.message;
  });
}

function followLog(pre) {
  const source = new EventSource(pre.dataset.follow);
  pre.dataset.following = 'true';
  source.addEventListener('log', (e) => {
    const atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
    pre.append(document.createTextNode(JSON.parse(e.data)));
    if (atEnd) pre.scrollTop = pre.scrollHeight;
  });
  source.addEventListener('end', () => {
    source.close();
    pre.dataset.following = 'done';
  });
}

document.addEventListener('DOMContentLoaded', () => {
  const table = document.querySelector('table[data-live]');
  if (table) liveTable(table);
  const job = document.getElementById('job-phase');
  if (job && job.dataset.live) liveJob(job);
  const log = document.querySelector('pre[data-follow]');
  if (log) followLog(log);
});
