// The start view: pick a kind, drop a photo, set parameters (the form is generated from the engines'
// own descriptors), pick styles, start. Refusals are shown next to the field the API names.
import { api, engines as loadEngines, upload, ApiError } from './api.js';
import { h, announce } from './dom.js';

const LIST_TYPES = new Set(['integer[]', 'number[]']);
const NUMBER_TYPES = new Set(['integer', 'number']);
/** A sweep on this form varies at most two parameters (the API takes more; a grid on a page reads best with two). */
const MAX_SWEEP_AXES = 2;

/** Remembered across visits of the view in this tab, so that going back keeps the choice. */
let lastKind = null;

export async function renderStart(main) {
  const heading = h('h1', { tabindex: -1 }, 'New image');
  const status = h('p', { class: 'muted' }, 'Loading the engines…');
  main.replaceChildren(heading, status);
  const engines = await loadEngines();
  if (engines.length === 0) {
    status.textContent = 'This host has no engines installed.';
    return {};
  }

  const needsStyles = engines.some(engine => engine.inputs.some(role => role.library));
  const library = needsStyles ? await loadStyles() : [];
  const form = buildForm(engines, library);
  main.replaceChildren(heading, form);
  return {};
}

async function loadStyles() {
  const { data } = await api('/styles');
  return data?.styles ?? [];
}

function buildForm(engines, library) {
  // uploaded: File -> blob, so that a request refused for a parameter is resent without uploading again.
  const state = { files: new Map(), styles: library, selected: new Map(), uploaded: new WeakMap() };
  const engineFields = h('div', { class: 'engine-fields' });
  const formError = h('p', { class: 'form-error', id: 'form-error', role: 'alert' });
  const progress = h('progress', { id: 'upload-progress', max: 1, value: 0, hidden: true, 'aria-label': 'Upload progress' });
  const submit = h('button', { type: 'submit', class: 'primary', id: 'start-button' }, 'Start');
  let kind = engines.some(e => e.kind === lastKind) ? lastKind : engines[0].kind;

  const kinds = h('fieldset', { class: 'kinds', 'data-field': 'kind' },
    h('legend', {}, 'Kind'),
    engines.map(engine => h('label', { class: 'kind' },
      h('input', { type: 'radio', name: 'kind', value: engine.kind, checked: engine.kind === kind, onchange: () => { kind = engine.kind; lastKind = kind; render(); } }),
      h('span', { class: 'kind-title' }, engine.title),
      h('span', { class: 'kind-help' }, engine.description))),
    h('p', { class: 'field-error', id: 'error-kind' }));

  const form = h('form', { id: 'start-form', novalidate: true }, kinds, engineFields, formError,
    h('div', { class: 'actions' }, submit, progress));

  const render = () => {
    const engine = engines.find(e => e.kind === kind);
    engineFields.replaceChildren(
      ...engine.inputs.map((role, i) => (role.library ? libraryField(role, state) : fileField(role, state, i === 0))),
      parametersFieldset(engine),
      sweepFieldset(engine));
  };
  render();

  form.addEventListener('submit', async event => {
    event.preventDefault();
    clearErrors(form);
    const engine = engines.find(e => e.kind === kind);
    submit.disabled = true;
    try {
      const inputs = await uploadInputs(engine, state, progress);
      if (!inputs) return;
      const parameters = readParameters(form, engine);
      const axes = readAxes(form, engine);
      if (Object.keys(axes).length > 0) {
        // A swept parameter takes its values from the sweep, not from its field above.
        for (const name of Object.keys(axes)) delete parameters[name];
        announce('Starting the sweep…');
        const { data } = await api('/sweeps', { method: 'POST', body: { kind, inputs, parameters, axes } });
        location.hash = `#/sweeps/${encodeURIComponent(data.id)}`;
        return;
      }

      announce('Starting the job…');
      const { data } = await api('/jobs', { method: 'POST', body: { kind, inputs, parameters } });
      location.hash = `#/jobs/${encodeURIComponent(data.id)}`;
    } catch (error) {
      showError(form, error);
    } finally {
      submit.disabled = false;
      progress.hidden = true;
    }
  });
  return form;
}

/** A drop zone around a file input (keyboard: the input itself takes focus; mouse: drop or click). */
function fileField(role, state, primary) {
  const id = `file-${role.role}`;
  const optional = role.min === 0;
  const input = h('input', {
    type: 'file', id, accept: role.accept ?? 'image/*', multiple: role.max > 1,
    'aria-describedby': `help-${role.role} error-${role.role}`,
  });
  // Inside the drop zone (a label), so phrasing elements only.
  const chosen = h('span', { class: 'chosen', id: `chosen-${role.role}` });
  const showChosen = files => {
    state.files.set(role.role, files);
    chosen.replaceChildren(...files.map(file => h('span', { class: 'chosen-item' },
      h('img', { src: URL.createObjectURL(file), alt: '', onload: event => URL.revokeObjectURL(event.target.src) }),
      h('span', {}, file.name))));
  };
  if (state.files.get(role.role)?.length) showChosen(state.files.get(role.role));
  input.addEventListener('change', () => showChosen([...input.files].slice(0, role.max)));

  const zone = h('label', { class: 'drop', for: id },
    h('span', { class: 'drop-text' }, primary ? `Drop ${isClip(role) ? 'a clip' : 'a photo'} here or choose one` : `Drop an image here or choose one${optional ? ' (optional)' : ''}`),
    input, chosen);
  zone.addEventListener('dragover', event => { event.preventDefault(); zone.classList.add('over'); });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', event => {
    event.preventDefault();
    zone.classList.remove('over');
    const files = [...event.dataTransfer.files].filter(file => file.type.startsWith('image/') || file.type === '');
    if (files.length) showChosen(files.slice(0, role.max));
  });

  return h('div', { class: 'field', 'data-field': role.role },
    h('span', { class: 'label', id: `label-${role.role}` }, roleTitle(role, primary), optional ? h('span', { class: 'muted' }, ' (optional)') : null),
    zone,
    h('p', { class: 'help', id: `help-${role.role}` }, role.help),
    h('p', { class: 'field-error', id: `error-${role.role}` }));
}

/** Thumbnails of a library (the styles) to pick from, plus an upload that adds to the library. */
function libraryField(role, state) {
  const multiple = role.max > 1;
  const grid = h('div', { class: 'library', role: 'group', 'aria-labelledby': `legend-${role.role}` });
  const selected = state.selected.get(role.role) ?? new Set();
  state.selected.set(role.role, selected);
  const renderGrid = () => {
    grid.replaceChildren(...state.styles.map(style => h('label', { class: 'swatch' },
      h('input', {
        type: multiple ? 'checkbox' : 'radio', name: `library-${role.role}`, value: style.name, checked: selected.has(style.name),
        onchange: event => {
          if (!multiple) selected.clear();
          if (event.target.checked) selected.add(style.name); else selected.delete(style.name);
        },
      }),
      style.url ? h('img', { src: style.url, alt: '', loading: 'lazy', width: 96, height: 96 }) : h('span', { class: 'placeholder' }),
      h('span', { class: 'swatch-name' }, style.name))));
    if (state.styles.length === 0) grid.append(h('p', { class: 'muted' }, 'No styles yet: upload one.'));
  };
  renderGrid();

  const uploadId = `upload-${role.role}`;
  const uploadInput = h('input', { type: 'file', id: uploadId, accept: 'image/jpeg,image/png,image/webp,image/bmp', 'aria-describedby': `error-${role.role}` });
  const uploadStatus = h('span', { class: 'muted', role: 'status' });
  uploadInput.addEventListener('change', async () => {
    const file = uploadInput.files[0];
    if (!file) return;
    const error = document.getElementById(`error-${role.role}`);
    error.textContent = '';
    uploadStatus.textContent = `Uploading ${file.name}…`;
    try {
      const blob = await upload(file, { library: role.library });
      state.styles = await loadStyles();
      const name = state.styles.find(style => style.blob === blob)?.name;
      if (name) {
        if (!multiple) selected.clear();
        selected.add(name);
      }

      renderGrid();
      uploadStatus.textContent = name ? `Added the style “${name}”.` : 'Uploaded.';
    } catch (failure) {
      uploadStatus.textContent = '';
      error.textContent = failure.message;
    } finally {
      uploadInput.value = '';
    }
  });

  return h('fieldset', { class: 'field', 'data-field': role.role },
    h('legend', { id: `legend-${role.role}` }, roleTitle(role), h('span', { class: 'muted' }, multiple ? ` (choose ${role.min} to ${role.max})` : '')),
    h('p', { class: 'help' }, role.help),
    grid,
    h('p', { class: 'upload-style' }, h('label', { for: uploadId }, 'Upload a new style'), uploadInput, uploadStatus),
    h('p', { class: 'field-error', id: `error-${role.role}` }));
}

/** A role whose picker offers clips (the descriptor's accept list names video types). */
function isClip(role) {
  return /(^|,)\s*video\//.test(role.accept ?? '');
}

function roleTitle(role, primary = false) {
  if (primary) return isClip(role) ? 'Clip' : 'Photo';
  // Role names are camelCase (styleMask): shown as words ("Style mask images").
  const words = role.role.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1) + (role.max > 1 ? ' images' : ' image');
}

function parametersFieldset(engine) {
  const basic = engine.parameters.filter(p => !p.advanced);
  const advanced = engine.parameters.filter(p => p.advanced);
  return h('fieldset', { class: 'parameters' },
    h('legend', {}, 'Parameters'),
    h('div', { class: 'grid' }, basic.map(parameterField)),
    advanced.length ? h('details', {}, h('summary', {}, 'Advanced'), h('div', { class: 'grid' }, advanced.map(parameterField))) : null);
}

/**
 * The sweep section: up to two parameters of the descriptor, each with its values (comma-separated).
 * A refusal about an axis ("axes.<name>") lands at the row that picked it.
 */
function sweepFieldset(engine) {
  const rows = Array.from({ length: MAX_SWEEP_AXES }, (_, i) => {
    const select = h('select', { id: `sweep-param-${i}`, name: `sweep-param-${i}`, 'aria-describedby': `error-sweep-${i}` },
      h('option', { value: '' }, '(none)'),
      engine.parameters.map(p => h('option', { value: p.name }, p.name)));
    const values = h('input', {
      id: `sweep-values-${i}`, name: `sweep-values-${i}`, type: 'text', autocomplete: 'off', spellcheck: 'false',
      placeholder: 'values, comma-separated', 'aria-label': `Values of swept parameter ${i + 1}`, 'aria-describedby': `error-sweep-${i}`,
    });
    const row = h('div', { class: 'field', 'data-field': `sweep-${i}` },
      h('label', { for: select.id }, `Parameter ${i + 1}`),
      h('div', { class: 'sweep-axis' }, select, values),
      h('p', { class: 'field-error', id: `error-sweep-${i}` }));
    select.addEventListener('change', () => { row.dataset.field = select.value ? `axes.${select.value}` : `sweep-${i}`; });
    return row;
  });
  return h('details', { class: 'parameters', id: 'sweep-section', 'data-field': 'axes' },
    h('summary', {}, 'Sweep: a grid over up to two parameters'),
    h('p', { class: 'help' }, 'Every combination of the values is a job of its own; the results come together on a contact sheet.'),
    h('div', { class: 'sweep-axes' }, rows),
    h('p', { class: 'field-error', id: 'error-axes' }));
}

/** The picked sweep parameters and their values, typed as the descriptor says ({} when none is picked). */
function readAxes(form, engine) {
  const axes = {};
  for (let i = 0; i < MAX_SWEEP_AXES; i++) {
    const name = form.elements.namedItem(`sweep-param-${i}`)?.value;
    if (!name) continue;
    const p = engine.parameters.find(parameter => parameter.name === name);
    const raw = form.elements.namedItem(`sweep-values-${i}`).value;
    axes[name] = raw.split(',').map(v => v.trim()).filter(v => v !== '').map(v =>
      NUMBER_TYPES.has(p.type) ? toNumber(v) : LIST_TYPES.has(p.type) ? v.split(/\s+/).map(toNumber) : v);
  }

  return axes;
}

/** One control per parameter, with its type, range and help from the descriptor. */
function parameterField(p) {
  const id = `param-${p.name}`;
  const describedBy = `help-${p.name} error-${p.name}`;
  let control;
  if (p.type === 'choice') {
    control = h('select', { id, name: p.name, 'aria-describedby': describedBy },
      p.choices.map(choice => h('option', { value: choice, selected: choice === p.default }, choice)));
  } else if (NUMBER_TYPES.has(p.type)) {
    control = h('input', {
      id, name: p.name, type: 'number', inputmode: p.type === 'integer' ? 'numeric' : 'decimal',
      step: p.type === 'integer' ? 1 : 'any', min: p.minimum, max: p.maximum,
      value: p.default ?? '', placeholder: p.default == null ? 'automatic' : undefined, 'aria-describedby': describedBy,
    });
  } else {
    const list = LIST_TYPES.has(p.type);
    control = h('input', {
      id, name: p.name, type: 'text', maxlength: list ? undefined : p.maxLength, autocomplete: 'off', spellcheck: 'false',
      value: p.default == null ? '' : (Array.isArray(p.default) ? p.default.join(', ') : p.default),
      placeholder: p.default == null ? (list ? 'comma-separated, empty: all' : 'automatic') : undefined,
      'aria-describedby': describedBy,
    });
  }

  control.dataset.type = p.type;
  return h('div', { class: 'field', 'data-field': p.name },
    h('label', { for: id }, p.name, rangeText(p)),
    control,
    h('p', { class: 'help', id: `help-${p.name}` }, p.help),
    h('p', { class: 'field-error', id: `error-${p.name}` }));
}

/** Bounds this large are "no bound" to a person (a 64-bit seed); they are not shown. */
const LARGEST_SHOWN_BOUND = 1e9;

function rangeText(p) {
  const low = p.minimum ?? null;
  const high = p.maximum != null && Math.abs(p.maximum) < LARGEST_SHOWN_BOUND ? p.maximum : null;
  if (low === null && high === null) return null;
  let text;
  if (low !== null && high !== null) text = `${p.exclusiveMinimum ? '>' : ''}${low}–${high}`;
  else if (low !== null) text = `${p.exclusiveMinimum ? '>' : '≥'} ${low}`;
  else text = `≤ ${high}`;
  return h('span', { class: 'range' }, ` ${text}`);
}

/**
 * The parameters the user changed from their defaults: what is left out the engine fills in (and
 * job.json records), so a job never carries the form's copy of a default.
 */
function readParameters(form, engine) {
  const parameters = {};
  for (const p of engine.parameters) {
    const control = form.elements.namedItem(p.name);
    const raw = control.value.trim();
    if (raw === '') continue;
    let value = raw;
    if (NUMBER_TYPES.has(p.type)) value = toNumber(raw);
    else if (LIST_TYPES.has(p.type)) value = raw.split(/[\s,]+/).filter(Boolean).map(toNumber);
    if (JSON.stringify(value) === JSON.stringify(p.default)) continue;
    parameters[p.name] = value;
  }

  return parameters;
}

/** A number where the text is one; else the text itself, so that the API says what is wrong with it. */
function toNumber(text) {
  const number = Number(text);
  return text !== '' && Number.isFinite(number) ? number : text;
}

/** Uploads the chosen files (straight to storage) and names the picked library images; null when something is missing. */
async function uploadInputs(engine, state, progress) {
  const inputs = {};
  const uploads = [];
  for (const role of engine.inputs) {
    if (role.library) {
      const names = [...(state.selected.get(role.role) ?? [])];
      if (names.length < role.min) {
        return fieldError(role.role, role.min === 1 && role.max === 1 ? 'Pick a style.' : `Pick at least ${role.min}.`);
      }

      if (names.length > role.max) return fieldError(role.role, `Pick at most ${role.max}.`);
      if (names.length) inputs[role.role] = role.max === 1 ? names[0] : names;
      continue;
    }

    const files = state.files.get(role.role) ?? [];
    if (files.length < role.min) return fieldError(role.role, role === engine.inputs[0] ? `Choose ${isClip(role) ? 'a clip' : 'a photo'} first.` : `Choose at least ${role.min} image(s).`);
    for (const file of files) {
      if (state.uploaded.has(file)) addInput(inputs, role, state.uploaded.get(file));
      else uploads.push({ role, file });
    }
  }

  const total = uploads.reduce((sum, item) => sum + item.file.size, 0) || 1;
  let done = 0;
  progress.hidden = uploads.length === 0;
  for (const { role, file } of uploads) {
    announce(`Uploading ${file.name}…`);
    let blob;
    try {
      blob = await upload(file, { onProgress: fraction => { progress.value = (done + fraction * file.size) / total; } });
    } catch (error) {
      if (error instanceof ApiError) error.field = role.role;
      throw error;
    }

    done += file.size;
    state.uploaded.set(file, blob);
    addInput(inputs, role, blob);
  }

  return inputs;
}

/** A role that takes one image gets a string, a role that takes several an array (the API takes both). */
function addInput(inputs, role, blob) {
  inputs[role.role] = role.max === 1 ? blob : [...(inputs[role.role] ?? []), blob];
}

function fieldError(field, message) {
  showError(document.getElementById('start-form'), new ApiError(400, { detail: message, field }, null));
  return null;
}

function clearErrors(form) {
  for (const element of form.querySelectorAll('.field-error, .form-error')) element.textContent = '';
  for (const element of form.querySelectorAll('[aria-invalid]')) element.removeAttribute('aria-invalid');
  for (const element of form.querySelectorAll('.invalid')) element.classList.remove('invalid');
}

/** Puts an error next to the field it names (parameter or input role), else above the Start button. */
function showError(form, error) {
  const busy = error instanceof ApiError && error.status === 429;
  const message = busy
    ? `The host is busy with other jobs; try again${error.retryAfter ? ` in ${Math.ceil(error.retryAfter)} s` : ' shortly'}.`
    : error.message;
  const field = error instanceof ApiError && !busy ? fieldContainer(form, error.field) : null;
  if (field) {
    field.classList.add('invalid');
    field.querySelector('.field-error').textContent = message;
    const control = field.querySelector('input:not([type=radio]):not([type=checkbox]), select') ?? field.querySelector('input');
    control?.setAttribute('aria-invalid', 'true');
    field.querySelector('details')?.setAttribute('open', '');
    field.closest('details')?.setAttribute('open', '');
    control?.focus();
  } else {
    const formError = form.querySelector('.form-error');
    formError.textContent = message;
  }

  announce(message);
}

/** The field a problem names: "iterations", "source", or a path such as "parameters.iterations" or "inputs.style[0]". */
function fieldContainer(form, name) {
  if (!name) return null;
  const parts = name.split(/[.[\]]/).filter(Boolean).reverse();
  for (const candidate of [name, ...parts]) {
    const found = form.querySelector(`[data-field="${CSS.escape(candidate)}"]`);
    if (found) return found;
  }

  return null;
}
