// The job view: watch a running job (progress, preview refreshed after every chunk — for a sequence
// the latest frame —, polling at the API's Retry-After, cancel) and, once it ended, source and result
// side by side, every other declared output (video, animation, a strip of frames) with downloads, the
// effective parameters from job.json, the failure reason and field, delete.
import { api, kindTitles, ApiError } from './api.js';
import { h, announce, formatDuration, formatTime, statusBadge, ENDED } from './dom.js';

/** Used when a 202 carries no Retry-After (it should). */
const DEFAULT_POLL_SECONDS = 2;
/** Bounds on the API's Retry-After: never hammer the host, never look frozen. */
const MIN_POLL_SECONDS = 0.5;
const MAX_POLL_SECONDS = 30;
/** After a network failure, wait this long before polling again. */
const RETRY_AFTER_FAILURE_SECONDS = 5;
/** File types of a source shown as a clip rather than a picture. */
const VIDEO_FILE = /\.(mp4|m4v|mov|webm|mkv)$/i;

export async function renderJob(main, id) {
  let timer = 0;
  let disposed = false;
  let lastStatus = null;
  let previewKey = null;
  let detailsShownFor = null;

  const title = h('h1', { tabindex: -1 }, 'Job');
  const idLine = h('p', { class: 'job-id' }, h('span', { class: 'muted' }, 'ID '), h('code', {}, id));
  const summary = h('p', { class: 'summary', id: 'job-summary' });
  const progressBar = h('progress', { id: 'job-progress', max: 100, value: 0, 'aria-labelledby': 'progress-label' });
  const progressLabel = h('span', { id: 'progress-label' }, 'Progress');
  const facts = h('dl', { class: 'facts', id: 'job-facts' });
  const progressPanel = h('section', { class: 'panel', id: 'progress-panel', 'aria-label': 'Progress' },
    h('div', { class: 'progress-line' }, progressLabel, progressBar), facts);

  const sourceImage = h('img', { id: 'source-image', alt: 'Source image' });
  // A source that is a clip (by its file type) plays in a video element instead.
  const sourceVideo = h('video', { id: 'source-video', controls: true, loop: true, muted: true, playsinline: true, hidden: true });
  const outputImage = h('img', { id: 'output-image', alt: '' });
  const outputCaption = h('figcaption', { id: 'output-caption' }, 'Preview');
  const pair = h('div', { class: 'pair' },
    h('figure', { id: 'source-figure' }, sourceImage, sourceVideo, h('figcaption', {}, 'Source')),
    h('figure', { id: 'output-figure', hidden: true }, outputImage, outputCaption));

  const failure = h('section', { class: 'panel failure', id: 'job-error', hidden: true, role: 'alert' });
  const actions = h('div', { class: 'actions', id: 'job-actions' });
  const parameters = h('section', { class: 'panel', id: 'job-parameters', hidden: true, 'aria-labelledby': 'parameters-title' });
  const media = h('section', { class: 'panel', id: 'job-outputs', hidden: true, 'aria-label': 'Outputs' });
  main.replaceChildren(title, idLine, summary, progressPanel, failure, pair, media, actions, parameters);

  const schedule = seconds => {
    if (disposed) return;
    const wait = Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, seconds ?? DEFAULT_POLL_SECONDS));
    main.dataset.nextPollSeconds = String(wait);
    timer = setTimeout(poll, wait * 1000);
  };

  const poll = async () => {
    clearTimeout(timer);
    if (disposed) return;
    let response;
    try {
      response = await api(`/jobs/${encodeURIComponent(id)}`);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        title.textContent = 'Job not found';
        summary.textContent = error.message;
        progressPanel.hidden = true;
        pair.hidden = true;
        return;
      }

      summary.textContent = `Could not reach the API (${error.message}); trying again.`;
      schedule(RETRY_AFTER_FAILURE_SECONDS);
      return;
    }

    if (disposed) return;
    render(response.data);
    if (!ENDED.has(response.data.status)) schedule(response.retryAfter);
  };

  const render = job => {
    main.dataset.status = job.status;
    title.textContent = `${titleOf(job.kind)} · ${job.status}`;
    // A cell of a sweep links back to the sweep's grid.
    if (job.sweep && !idLine.querySelector('#job-sweep')) {
      idLine.append(' · ', h('a', { id: 'job-sweep', href: `#/sweeps/${encodeURIComponent(job.sweep)}` }, 'part of a sweep'));
    }
    document.title = `${job.status} · NeuralArt`;
    if (lastStatus !== job.status) {
      if (lastStatus !== null) announce(`The job is ${job.status}.`);
      lastStatus = job.status;
    }

    summary.replaceChildren(statusBadge(job.status), ` ${job.kind ?? ''} · created ${formatTime(job.createdAt)}`);
    renderProgress(job);
    renderImages(job);
    renderActions(job);
    renderFailure(job);
    if (job.status === 'completed' && detailsShownFor !== job.manifest?.blob) {
      detailsShownFor = job.manifest?.blob;
      renderOutputs(job);
      renderParameters(job);
    }
  };

  const renderProgress = job => {
    const p = job.progress ?? {};
    const percent = job.status === 'completed' ? 100 : Math.max(0, Math.min(100, p.percent ?? 0));
    progressBar.value = percent;
    progressLabel.textContent = `Progress ${percent.toFixed(0)}%`;
    progressPanel.dataset.percent = percent.toFixed(1);
    const stage = p.stage ?? 'stage';
    const rows = [
      ['Phase', p.phase ?? job.status],
      p.stageCount ? [capitalize(stage), `${p.stageIndex} of ${p.stageCount}`] : null,
      p.totalIterations ? ['Iteration', `${p.iteration} of ${p.totalIterations}`] : null,
      ['Elapsed', formatDuration(p.elapsedSeconds)],
      !ENDED.has(job.status) && Number.isFinite(p.remainingSeconds) ? ['Time left', `about ${formatDuration(p.remainingSeconds)}`] : null,
      ['Chunks', p.chunks ?? 0],
    ].filter(Boolean);
    facts.replaceChildren(...rows.map(([name, value]) => h('div', {}, h('dt', {}, name), h('dd', { dataset: { fact: name.toLowerCase() } }, String(value)))));
  };

  const renderImages = job => {
    if (job.source?.url && sourceImage.dataset.blob !== job.source.blob) {
      sourceImage.dataset.blob = job.source.blob;
      const clip = VIDEO_FILE.test(job.source.blob);
      sourceImage.hidden = clip;
      sourceVideo.hidden = !clip;
      if (clip) sourceVideo.src = job.source.url;
      else sourceImage.src = job.source.url;
    }

    // Result once there is one; until then the preview the pipeline writes after every chunk.
    const shown = job.result?.url ? job.result : job.preview;
    if (!shown?.url) return;
    const key = `${shown.blob}#${job.progress?.chunks ?? 0}#${job.status}`;
    if (key === previewKey) return;
    previewKey = key;
    const isResult = shown === job.result;
    // Load off-screen first so that the shown image never blanks out between two previews.
    const next = new Image();
    next.onload = () => {
      if (disposed) return;
      outputImage.src = next.src;
      outputImage.alt = isResult ? 'Result' : `Preview after ${job.progress?.chunks ?? 0} chunk(s)`;
      outputImage.dataset.chunks = String(job.progress?.chunks ?? 0);
      outputImage.dataset.kind = isResult ? 'result' : 'preview';
      const done = job.progress?.iteration ?? 0;
      outputCaption.textContent = isResult ? 'Result'
        : job.status === 'completed' ? 'Last frame' : `Preview after ${done} iteration${done === 1 ? '' : 's'}`;
      pair.querySelector('#output-figure').hidden = false;
    };
    next.src = shown.url;
  };

  const renderActions = job => {
    const buttons = [];
    if (!ENDED.has(job.status)) {
      buttons.push(h('button', { type: 'button', id: 'cancel-button', onclick: cancel }, 'Cancel job'));
    } else {
      if (job.result?.url) buttons.push(download(job.result.url, `${id}-result${extension(job.result.blob)}`, 'Download result', 'download-result'));
      // Every other single-file output the engine declared (an animation, a video).
      for (const [name, output] of singleFiles(job)) {
        const file = output.files[0];
        buttons.push(download(file.url, `${id}-${fileName(file.blob)}`, `Download ${fileName(file.blob)}`, `download-${name}`));
      }
      if (job.manifest?.url) buttons.push(download(job.manifest.url, `${id}-${fileName(job.manifest.blob)}`, `Download ${fileName(job.manifest.blob)}`, 'download-manifest'));
      buttons.push(h('button', { type: 'button', id: 'delete-button', class: 'danger', onclick: confirmDelete }, 'Delete job'));
    }

    const key = buttons.map(b => b.id).join();
    if (actions.dataset.key !== key) {
      actions.dataset.key = key;
      actions.replaceChildren(...buttons);
    }
  };

  // The outputs a still does not have: videos play, animations show, frames make a strip.
  const renderOutputs = job => {
    const shown = [];
    for (const [name, output] of Object.entries(job.outputs ?? {})) {
      const first = output.files?.[0];
      if (!first?.url || first.blob === job.result?.blob) continue;
      if (output.kind === 'video') {
        shown.push(h('figure', { dataset: { output: name } },
          h('video', { src: first.url, controls: true, loop: true, muted: true, autoplay: true, playsinline: true, id: `output-${name}` }),
          h('figcaption', {}, `${capitalize(name)} (${fileName(first.blob)})`)));
      } else if (output.kind === 'animation' || output.kind === 'image') {
        shown.push(h('figure', { dataset: { output: name } },
          h('img', { src: first.url, alt: `${capitalize(name)}`, id: `output-${name}` }),
          h('figcaption', {}, `${capitalize(name)} (${fileName(first.blob)})`)));
      } else if (output.kind === 'frames') {
        shown.push(h('figure', { dataset: { output: name }, class: 'frames' },
          h('div', { class: 'strip', id: `output-${name}` }, output.files.filter(f => f.url).map((file, k) =>
            h('a', { href: file.url, target: '_blank', rel: 'noopener' },
              h('img', { src: file.url, loading: 'lazy', alt: `Frame ${k + 1} of ${output.frames ?? output.files.length}` })))),
          h('figcaption', {}, `${output.frames ?? output.files.length} frames`)));
      }
    }

    media.hidden = shown.length === 0;
    media.replaceChildren(...(shown.length ? [h('h2', {}, 'Outputs'), h('div', { class: 'outputs' }, ...shown)] : []));
  };

  const renderFailure = job => {
    if (!job.error || job.status === 'completed') {
      failure.hidden = true;
      return;
    }

    failure.hidden = false;
    failure.dataset.field = job.error.field ?? '';
    failure.replaceChildren(
      h('h2', {}, job.status === 'cancelled' ? 'Cancelled' : 'Why it failed'),
      h('p', { id: 'error-reason' }, job.error.reason),
      job.error.field ? h('p', {}, 'Field: ', h('code', { id: 'error-field' }, job.error.field)) : null,
      job.error.phase ? h('p', { class: 'muted' }, `During: ${job.error.phase}`) : null);
  };

  const renderParameters = async job => {
    if (!job.manifest?.url) return;
    let manifest;
    try {
      const response = await fetch(job.manifest.url, { cache: 'no-store' });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      manifest = await response.json();
    } catch (error) {
      parameters.hidden = false;
      parameters.replaceChildren(h('h2', { id: 'parameters-title' }, 'Parameters'), h('p', { class: 'muted' }, `job.json could not be read (${error.message}).`));
      return;
    }

    if (disposed) return;
    const rows = Object.entries(manifest.parameters ?? {}).map(([name, value]) => [name, value]);
    if (manifest.engine?.model) rows.push(['engine model', manifest.engine.model]);
    if (manifest.engine?.provider) rows.push(['engine provider', manifest.engine.provider]);
    if (manifest.width) rows.push(['size', `${manifest.width} × ${manifest.height}`]);
    if (manifest.timings?.elapsedSeconds) rows.push(['elapsed', formatDuration(manifest.timings.elapsedSeconds)]);
    parameters.hidden = false;
    parameters.replaceChildren(
      h('h2', { id: 'parameters-title' }, 'Parameters'),
      h('p', { class: 'muted' }, 'As the engine ran them (defaults and the drawn seed included), from job.json.'),
      h('div', { class: 'table-wrap' }, h('table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))),
        h('tbody', {}, rows.map(([name, value]) => h('tr', { dataset: { parameter: name } },
          h('th', { scope: 'row' }, name), h('td', {}, formatValue(value))))))));
  };

  const cancel = async () => {
    const button = document.getElementById('cancel-button');
    if (button) button.disabled = true;
    try {
      await api(`/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' });
      announce('Cancelling the job…');
    } catch (error) {
      announce(error.message);
      summary.append(` ${error.message}`);
    }

    poll();
  };

  const confirmDelete = () => {
    const keep = h('button', { type: 'button', id: 'keep-button', onclick: () => { actions.dataset.key = ''; poll(); } }, 'Keep');
    const remove = h('button', { type: 'button', id: 'confirm-delete-button', class: 'danger', onclick: deleteJob }, 'Delete for good');
    actions.dataset.key = 'confirm';
    actions.replaceChildren(h('p', { id: 'delete-question' }, 'Delete this job and its images?'), remove, keep);
    remove.focus();
  };

  const deleteJob = async () => {
    try {
      await api(`/jobs/${encodeURIComponent(id)}`, { method: 'DELETE' });
      announce('The job was deleted.');
      location.hash = '#/jobs';
    } catch (error) {
      actions.replaceChildren(h('p', { class: 'form-error', role: 'alert' }, error.message));
      actions.dataset.key = '';
    }
  };

  const titleOf = await kindTitles();
  await poll();
  return { dispose: () => { disposed = true; clearTimeout(timer); } };
}

/** A download through fetch + object URL: storage links are cross-origin, where <a download> is ignored. */
function download(url, name, label, id) {
  return h('a', {
    href: url, id, class: 'button', download: name, rel: 'noopener',
    onclick: async event => {
      event.preventDefault();
      try {
        const response = await fetch(url);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const objectUrl = URL.createObjectURL(await response.blob());
        const link = h('a', { href: objectUrl, download: name, hidden: true });
        document.body.append(link);
        link.click();
        link.remove();
        setTimeout(() => URL.revokeObjectURL(objectUrl), 0);
      } catch {
        window.open(url, '_blank', 'noopener');
      }
    },
  }, label);
}

/** The outputs other than the still result that are one file each (animation.gif, animation.mp4). */
function singleFiles(job) {
  return Object.entries(job.outputs ?? {})
    .filter(([, output]) => output.kind !== 'frames' && output.files?.length === 1 && output.files[0].url && output.files[0].blob !== job.result?.blob);
}

function formatValue(value) {
  if (Array.isArray(value)) return value.join(', ');
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const capitalize = text => text.charAt(0).toUpperCase() + text.slice(1);
const fileName = blob => blob.slice(blob.lastIndexOf('/') + 1);
const extension = blob => { const name = fileName(blob); const dot = name.lastIndexOf('.'); return dot < 0 ? '' : name.slice(dot); };
