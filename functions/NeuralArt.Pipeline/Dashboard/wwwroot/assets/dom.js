// Small DOM helpers: elements are built with h() (text is always text, never parsed as HTML).

/** h('p', { class: 'x', onclick: f }, 'text', child) */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(element.dataset, value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}

/** Says something to screen readers through the polite live region. */
export function announce(message) {
  const region = document.getElementById('announcer');
  region.textContent = '';
  // A fresh text node after clearing makes screen readers read a repeated message again.
  requestAnimationFrame(() => { region.textContent = message; });
}

/** 75 -> "1:15", 3725 -> "1:02:05". */
export function formatDuration(seconds) {
  if (!Number.isFinite(seconds) || seconds < 0) return '–';
  const total = Math.round(seconds);
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = String(total % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** Seconds a job ran: the engine's elapsed time while it runs, created-to-last-update once it ended. */
export function jobDuration(job) {
  if (job.progress?.elapsedSeconds > 0 && (job.status === 'running' || job.status === 'pending')) return job.progress.elapsedSeconds;
  const span = (Date.parse(job.lastUpdatedAt) - Date.parse(job.createdAt)) / 1000;
  return Number.isFinite(span) ? span : NaN;
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status}`, dataset: { status } }, status);
}

export const ENDED = new Set(['completed', 'failed', 'cancelled']);
