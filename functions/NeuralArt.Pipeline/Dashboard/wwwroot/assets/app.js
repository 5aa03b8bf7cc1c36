// The dashboard's entry point: the key (URL fragment -> session storage, prompt when missing or
// refused) and a tiny hash router over the three views (start, gallery, job).
import { setKeyPrompt, takeKeyFromFragment, getKey, setKey } from './api.js';
import { announce } from './dom.js';
import { renderStart } from './start.js';
import { renderGallery } from './gallery.js';
import { renderJob } from './job.js';
import { renderSweep } from './sweep.js';

const main = document.getElementById('main');
const dialog = document.getElementById('key-dialog');
const keyForm = document.getElementById('key-form');
const keyInput = document.getElementById('key-input');
const keyReason = document.getElementById('key-reason');

const REASONS = {
  missing: 'This dashboard calls the NeuralArt API, which needs its function key. Open the link that neuralart serve prints, or paste the key.',
  refused: 'The API refused the key. Paste the current key (neuralart serve prints a link with it).',
  change: 'Paste another function key, or press Escape to keep the current one.',
};

let pending = null;
let release = null;
let current = null;
/** Counts route changes, so that a view that finished loading after the user moved on is disposed. */
let generation = 0;

/** Shows the key dialog (once, however many calls wait) and resolves when a key was entered. */
function promptForKey(reason) {
  keyReason.textContent = REASONS[reason] ?? REASONS.missing;
  dialog.dataset.reason = reason;
  pending ??= new Promise(resolve => { release = resolve; });
  if (!dialog.open) dialog.showModal();
  keyInput.focus();
  return pending;
}

keyForm.addEventListener('submit', event => {
  event.preventDefault();
  const key = keyInput.value.trim();
  if (!key) {
    keyInput.setAttribute('aria-invalid', 'true');
    keyInput.focus();
    return;
  }

  setKey(key);
  keyInput.value = '';
  keyInput.removeAttribute('aria-invalid');
  dialog.close();
});

// However the dialog closed, callers waiting for a key go on once there is one.
dialog.addEventListener('close', () => {
  if (!getKey()) return;
  release?.();
  pending = null;
  release = null;
});

// Without a key the API cannot be used: Escape must not leave an empty, useless page behind.
dialog.addEventListener('cancel', event => { if (!getKey()) event.preventDefault(); });

async function route() {
  // A link with #key=... opened in this tab: keep the key, then show the start view.
  takeKeyFromFragment();
  const hash = location.hash;
  // In-page anchors (the skip link) are not routes.
  if (hash && !hash.startsWith('#/')) return;
  current?.dispose?.();
  current = null;
  const mine = ++generation;
  const path = hash.slice(2);
  const match = /^jobs\/([^/]+)$/.exec(path);
  const sweepMatch = /^sweeps\/([^/]+)$/.exec(path);
  const view = match ? 'job' : sweepMatch ? 'sweep' : path === 'jobs' ? 'gallery' : 'start';
  for (const link of document.querySelectorAll('[data-nav]')) {
    if (link.dataset.nav === view) link.setAttribute('aria-current', 'page'); else link.removeAttribute('aria-current');
  }

  document.title = { start: 'New image', gallery: 'Gallery', job: 'Job', sweep: 'Sweep' }[view] + ' · NeuralArt';
  main.dataset.view = view;
  main.removeAttribute('data-status');
  main.setAttribute('aria-busy', 'true');
  try {
    const rendered = view === 'job' ? renderJob(main, decodeURIComponent(match[1]))
      : view === 'sweep' ? renderSweep(main, decodeURIComponent(sweepMatch[1]))
      : view === 'gallery' ? renderGallery(main) : renderStart(main);
    // Focus the new heading, so keyboard and screen reader users land on the new view.
    main.querySelector('h1')?.focus();
    const shown = await rendered;
    if (mine === generation) current = shown; else shown?.dispose?.();
  } catch (error) {
    if (mine !== generation) return;
    main.replaceChildren(Object.assign(document.createElement('p'), { className: 'form-error', role: 'alert', textContent: error.message }));
    announce(error.message);
  } finally {
    if (mine === generation) {
      main.setAttribute('aria-busy', 'false');
      main.dataset.ready = view;
    }
  }
}

setKeyPrompt(promptForKey);
document.getElementById('key-button').addEventListener('click', () => promptForKey('change'));
window.addEventListener('hashchange', route);
route();
