// The sweep view: a grid of the sweep's cells that fills in as they run (each cell's preview while
// it runs, its result's preview once done, its status and percent), each a link to its job page;
// the contact sheet once drawn; cancel while it runs. Polls at the API's Retry-After.
import { api, kindTitles } from './api.js';
import { h, announce, formatTime, statusBadge, ENDED } from './dom.js';

const DEFAULT_POLL_SECONDS = 2;
const MIN_POLL_SECONDS = 0.5;
const MAX_POLL_SECONDS = 30;
const RETRY_AFTER_FAILURE_SECONDS = 5;

export async function renderSweep(main, id) {
  let timer = 0;
  let disposed = false;
  const title = h('h1', { tabindex: -1 }, 'Sweep');
  const idLine = h('p', { class: 'job-id' }, h('span', { class: 'muted' }, 'ID '), h('code', {}, id));
  const summary = h('p', { class: 'summary', id: 'sweep-summary', role: 'status' });
  const grid = h('div', { class: 'sweep-grid', id: 'sweep-grid' });
  const sheet = h('section', { class: 'panel', id: 'sweep-sheet', hidden: true, 'aria-label': 'Contact sheet' });
  const actions = h('div', { class: 'actions', id: 'sweep-actions' });
  main.replaceChildren(title, idLine, summary, grid, actions, sheet);
  const titleOf = await kindTitles();
  const cells = new Map();

  const cellView = cell => {
    let view = cells.get(cell.index);
    if (!view) {
      const image = h('img', { alt: '', width: 256, height: 192, hidden: true });
      const placeholder = h('span', { class: 'placeholder', 'aria-hidden': 'true' });
      const state = h('span', { class: 'muted cell-state' });
      const badge = h('span');
      const label = Object.entries(cell.values).map(([name, value]) => `${name} = ${value}`).join(', ');
      const link = h('a', { href: `#/jobs/${encodeURIComponent(cell.jobId)}`, class: 'sweep-cell', dataset: { cell: String(cell.index), job: cell.jobId } },
        image, placeholder, h('span', { class: 'card-text' }, h('span', { class: 'card-title' }, label), badge, state));
      view = { link, image, placeholder, state, badge, preview: null };
      cells.set(cell.index, view);
    }

    return view;
  };

  const show = sweep => {
    title.textContent = `Sweep of ${titleOf(sweep.kind)}`;
    main.dataset.status = sweep.status;
    const done = sweep.cells.filter(c => c.status === 'completed').length;
    const failed = sweep.cells.filter(c => c.status === 'failed').length;
    summary.replaceChildren(statusBadge(sweep.status),
      ` ${done} of ${sweep.cells.length} cells done${failed ? `, ${failed} failed` : ''} · ${sweep.axes.map(a => `${a.name} (${a.values.length})`).join(' × ')} · ${formatTime(sweep.createdAt)}`);

    // Two axes: the first across, the second down; one or more than two: the first across, the rest in rows.
    const columns = sweep.axes[0]?.values.length ?? 1;
    grid.style.setProperty('--columns', String(columns));
    for (const cell of sweep.cells) {
      const view = cellView(cell);
      view.link.dataset.status = cell.status;
      view.badge.replaceChildren(statusBadge(cell.status));
      view.state.textContent = cell.status === 'running' && cell.progress ? ` ${Math.round(cell.progress.percent ?? 0)} %` : '';
      const url = cell.preview?.url;
      if (url && cell.preview.blob + cell.status !== view.preview) {
        view.preview = cell.preview.blob + cell.status;
        view.image.src = url;
        view.image.hidden = false;
        view.placeholder.remove();
      }
    }

    grid.replaceChildren(...[...cells.keys()].sort((a, b) => a - b).map(index => cells.get(index).link));
    if (sweep.sheet?.url && sheet.hidden) {
      sheet.hidden = false;
      sheet.replaceChildren(h('h2', {}, 'Contact sheet'),
        h('img', { id: 'sheet-image', src: sweep.sheet.url, alt: `Contact sheet of the sweep over ${sweep.axes.map(a => a.name).join(' and ')}` }),
        h('p', {}, h('a', { id: 'download-sheet', href: sweep.sheet.url, download: 'sheet.png' }, 'Download the sheet'),
          sweep.layout?.url ? [' · ', h('a', { id: 'download-layout', href: sweep.layout.url, download: 'sheet.json' }, 'sheet.json')] : null));
      announce('The sweep is done.');
    }

    actions.replaceChildren(ENDED.has(sweep.status) ? '' : h('button', { type: 'button', id: 'cancel-sweep', onclick: cancel }, 'Cancel the sweep'));
  };

  const cancel = async () => {
    try {
      await api(`/sweeps/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
      announce('Cancelling the sweep…');
    } catch (error) {
      announce(error.message);
    }
  };

  const poll = async () => {
    if (disposed) return;
    try {
      const { data, retryAfter } = await api(`/sweeps/${encodeURIComponent(id)}`);
      if (disposed) return;
      show(data);
      if (!ENDED.has(data.status)) timer = setTimeout(poll, 1000 * Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, retryAfter ?? DEFAULT_POLL_SECONDS)));
    } catch (error) {
      if (disposed) return;
      if (error.status === 404) throw error;
      summary.textContent = error.message;
      timer = setTimeout(poll, RETRY_AFTER_FAILURE_SECONDS * 1000);
    }
  };

  await poll();
  return { dispose: () => { disposed = true; clearTimeout(timer); } };
}
