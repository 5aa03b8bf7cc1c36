// The API client: the function key (from the URL fragment, kept in session storage, asked for when
// missing or refused), JSON calls with problem bodies turned into errors, and direct uploads to storage.

/** Both hosts serve the API under /api (the Functions default route prefix). */
const API = '/api';
const KEY_ITEM = 'neuralart.key';
const KEY_FRAGMENT = /(?:^#|&)key=([^&]*)/;

let askForKey = async () => { throw new Error('No key prompt installed.'); };

/** Installs the function that shows the key prompt; it resolves once a key was entered. */
export function setKeyPrompt(prompt) { askForKey = prompt; }

/**
 * Moves a key from the URL fragment (#key=...) into session storage and removes it from the address
 * bar and history: fragments are never sent to a server, and this way the key does not linger on screen.
 */
export function takeKeyFromFragment() {
  const match = KEY_FRAGMENT.exec(location.hash);
  if (!match) return false;
  const key = decodeURIComponent(match[1]).trim();
  if (key) sessionStorage.setItem(KEY_ITEM, key);
  history.replaceState(null, '', `${location.pathname}${location.search}#/`);
  return Boolean(key);
}

export const getKey = () => sessionStorage.getItem(KEY_ITEM);
export const setKey = key => sessionStorage.setItem(KEY_ITEM, key.trim());
export const forgetKey = () => sessionStorage.removeItem(KEY_ITEM);

/** A refused call: HTTP status, the problem's detail and the field it names (RFC 9457 + "field"). */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    super(problem?.detail || problem?.title || `The API answered HTTP ${status}.`);
    this.status = status;
    this.field = problem?.field ?? null;
    this.retryAfter = retryAfter;
  }
}

/** Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); null when absent. */
export function retryAfterSeconds(header) {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, (date - Date.now()) / 1000);
}

/**
 * Calls the API with the key. A 401 forgets the key and asks for another, then retries; other
 * refusals throw ApiError. Returns { status, data, retryAfter }.
 */
export async function api(path, { method = 'GET', body, signal } = {}) {
  for (;;) {
    const key = getKey();
    if (!key) {
      await askForKey('missing');
      continue;
    }

    const headers = { 'x-functions-key': key, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(API + path, {
      method, headers, signal, cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401) {
      forgetKey();
      await askForKey('refused');
      continue;
    }

    const retryAfter = retryAfterSeconds(response.headers.get('retry-after'));
    const text = response.status === 204 ? '' : await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (!response.ok) throw new ApiError(response.status, data, retryAfter);
    return { status: response.status, data, retryAfter };
  }
}

/**
 * Uploads a file straight to storage: asks the API for a one-blob, create-only link, then PUTs the
 * bytes there (XMLHttpRequest, for upload progress). Resolves with the blob reference (container/name).
 */
export async function upload(file, { library, onProgress } = {}) {
  const body = { fileName: file.name, contentType: file.type || undefined };
  if (library) body.library = library;
  const { data: ticket } = await api('/uploads', { method: 'POST', body });
  if (file.size > ticket.maxBytes) {
    throw new ApiError(413, { detail: `${file.name} is ${formatBytes(file.size)}; the limit is ${formatBytes(ticket.maxBytes)}.`, field: 'fileName' }, null);
  }

  await new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('PUT', ticket.uploadUrl);
    for (const [name, value] of Object.entries(ticket.headers ?? {})) request.setRequestHeader(name, value);
    request.upload.onprogress = event => { if (event.lengthComputable) onProgress?.(event.loaded / event.total); };
    request.onload = () => (request.status >= 200 && request.status < 300
      ? resolve()
      : reject(new Error(`Storage refused the upload of ${file.name} (HTTP ${request.status}).`)));
    request.onerror = () => reject(new Error(`The upload of ${file.name} did not reach storage (network or storage CORS).`));
    request.send(file);
  });
  return ticket.blob;
}

let enginesRequest = null;

/** The engines' descriptors (GET /api/engines), fetched once per page load. */
export function engines() {
  enginesRequest ??= api('/engines').then(({ data }) => data?.engines ?? []).catch(error => { enginesRequest = null; throw error; });
  return enginesRequest;
}

/**
 * Resolves to a function from a job's kind to its engine's title (from the descriptors, fetched once).
 * It never rejects: a host that does not answer or does not describe a kind still shows the kind.
 */
export async function kindTitles() {
  const titles = new Map((await engines().catch(() => [])).map(engine => [engine.kind, engine.title]));
  return kind => titles.get(kind) ?? kind ?? 'Job';
}

export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
