// The gallery: recent jobs newest first (the API's order), a page at a time, as cards with the
// small preview JPEG the pipeline writes anyway (never the full-size result), kind, status, duration.
import { api, kindTitles } from './api.js';
import { h, formatDuration, formatTime, jobDuration, statusBadge } from './dom.js';

/** Jobs per page: two rows on a desktop, a short scroll on a phone. */
const PAGE_SIZE = 12;

export async function renderGallery(main) {
  const heading = h('h1', { tabindex: -1 }, 'Gallery');
  const list = h('ul', { class: 'gallery', id: 'gallery' });
  const empty = h('p', { class: 'muted', hidden: true }, 'No jobs yet. ', h('a', { href: '#/' }, 'Start one.'));
  const more = h('button', { type: 'button', id: 'more-button', hidden: true }, 'Show older jobs');
  const status = h('p', { class: 'muted', role: 'status' }, 'Loading…');
  main.replaceChildren(heading, status, list, empty, more);
  const titleOf = await kindTitles();
  let token = null;
  const sweeps = new Set();

  const load = async () => {
    more.disabled = true;
    const query = new URLSearchParams({ top: String(PAGE_SIZE) });
    if (token) query.set('continuationToken', token);
    const { data } = await api(`/jobs?${query}`);
    const jobs = data?.jobs ?? [];
    // A sweep is one entry: its first cell listed stands for it (cells are ordinary jobs that name their sweep).
    const shown = jobs.filter(job => !job.sweep || !sweeps.has(job.sweep) && sweeps.add(job.sweep));
    list.append(...shown.map(job => (job.sweep ? sweepCard(job, titleOf) : card(job, titleOf))));
    // The task hub may hand out a token whose page turns out empty: then there is nothing older.
    token = jobs.length > 0 ? data?.continuationToken ?? null : null;
    more.hidden = !token;
    more.disabled = false;
    empty.hidden = list.childElementCount > 0;
    status.textContent = `${list.childElementCount} entr${list.childElementCount === 1 ? 'y' : 'ies'} shown.`;
  };

  more.addEventListener('click', () => load().catch(error => { status.textContent = error.message; more.disabled = false; }));
  await load();
  return {};
}

function card(job, titleOf) {
  const title = titleOf(job.kind);
  // The photo's file name, so that jobs of the same kind can be told apart in a list.
  const sourceBlob = job.inputs?.source?.[0] ?? job.source?.blob ?? '';
  const source = sourceBlob.slice(sourceBlob.lastIndexOf('/') + 1);
  const image = job.preview?.url
    ? h('img', { src: job.preview.url, alt: '', loading: 'lazy', width: 320, height: 240 })
    : h('span', { class: 'placeholder', 'aria-hidden': 'true' });
  return h('li', { class: 'card', dataset: { job: job.id, status: job.status } },
    // The link's name is its visible text (title, status, duration, date): the thumbnail is decoration.
    h('a', { href: `#/jobs/${encodeURIComponent(job.id)}` },
      image,
      h('span', { class: 'card-text' },
        h('span', { class: 'card-title' }, title),
        source ? h('span', { class: 'card-source' }, source) : null,
        statusBadge(job.status),
        h('span', { class: 'muted' }, `${formatDuration(jobDuration(job))} · ${formatTime(job.createdAt)}`))));
}

/** A sweep's entry: a cell's thumbnail, linking to the sweep's grid. */
function sweepCard(job, titleOf) {
  const image = job.preview?.url
    ? h('img', { src: job.preview.url, alt: '', loading: 'lazy', width: 320, height: 240 })
    : h('span', { class: 'placeholder', 'aria-hidden': 'true' });
  return h('li', { class: 'card', dataset: { sweep: job.sweep } },
    h('a', { href: `#/sweeps/${encodeURIComponent(job.sweep)}` },
      image,
      h('span', { class: 'card-text' },
        h('span', { class: 'card-title' }, `Sweep of ${titleOf(job.kind)}`),
        h('span', { class: 'card-source' }, job.sweep),
        h('span', { class: 'muted' }, formatTime(job.createdAt)))));
}
