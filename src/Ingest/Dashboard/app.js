// The Cinematic Switch page: checks a request as the API does, uploads it with progress, follows its status as
// server-sent events, and shows the result from the archive. Everything goes through Ingest's own API, with the
// API key in the Authorization header only (never in a URL, which ends up in logs).

const BASE = '/dashboard/cinematic-switch';
const KEY_STORAGE = 'cinematic-switch.api-key';
const RECENT_LIMIT = 10;
const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
// What .NET's string.Trim() removes (char.IsWhiteSpace): JavaScript's trim() differs at U+0085 and U+FEFF.
const WHITESPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const EDGE_WHITESPACE = new RegExp(`^${WHITESPACE}+|${WHITESPACE}+$`, 'g');
// A request's progress, from the API's status and stage: the steps in order, then failure.
const STEPS = ['queued', 'generating', 'archiving', 'completed'];
const PROVIDER_NAMES = { REPLICATE: 'Replicate', RUNWAY: 'Runway', LEONARDO: 'Leonardo' };

const $ = (id) => document.getElementById(id);

let settings;
// The request the status section follows: its id, what stops following it, and its clock.
let followed = null;

document.addEventListener('DOMContentLoaded', start);

async function start() {
  settings = await (await fetch(`${BASE}/settings.json`)).json();
  fillSelect($('style-preset'), settings.style_presets.map((p) => [p, titleCase(p)]));
  offerAspectRatios();
  fillSelect($('output-count'), range(settings.min_output_count, settings.max_output_count).map((n) => [String(n), String(n)]));
  $('description-help').textContent = 'Describe the scene, style, outfit or era: ' +
    `${settings.min_description_length} to ${settings.max_description_length} characters (50-500 words recommended).`;

  $('key-form').addEventListener('submit', saveKey);
  $('forget-key').addEventListener('click', forgetKey);
  $('generate-form').addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
  $('retry').addEventListener('click', submit);
  $('refresh').addEventListener('click', () => loadRecent());
  $('description').addEventListener('input', updateCount);
  $('media').addEventListener('change', showPreview);
  updateCount();

  if (apiKey()) {
    $('api-key').value = apiKey();
    $('key-status').textContent = 'Using the key saved in this tab.';
    loadRecent();
  }
}

// ---- API key --------------------------------------------------------------------------------------------------

function apiKey() {
  return sessionStorage.getItem(KEY_STORAGE) ?? '';
}

function saveKey(event) {
  event.preventDefault();
  const key = $('api-key').value.trim();
  if (!key) {
    $('key-status').textContent = 'Enter your API key.';
    $('api-key').focus();
    return;
  }

  sessionStorage.setItem(KEY_STORAGE, key);
  $('key-status').textContent = 'Key saved for this tab.';
  loadRecent();
}

function forgetKey() {
  sessionStorage.removeItem(KEY_STORAGE);
  $('api-key').value = '';
  $('key-status').textContent = 'Key forgotten.';
  $('recent').hidden = true;
  $('credit-totals').textContent = '';
  $('recent-message').textContent = 'Enter your API key to see your requests.';
}

function authorization() {
  return { Authorization: `Bearer ${apiKey()}` };
}

/** GET from the API: the JSON answer, or an Error carrying the API's own message. */
async function getJson(path, signal) {
  const response = await fetch(path, { headers: authorization(), cache: 'no-store', signal });
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    throw new Error(body?.error?.message ?? `The service answered HTTP ${response.status}.`);
  }

  return body;
}

// ---- Checking, as the API does ----------------------------------------------------------------------------------

/** The description's length as the API counts it: line breaks are sent as CR LF, then it is trimmed. */
function serverLength(text) {
  return text.replace(/\r\n|\r|\n/g, '\r\n').replace(EDGE_WHITESPACE, '').length;
}

function descriptionProblem(text) {
  const length = serverLength(text);
  if (length === 0) {
    return settings.messages.missing_description;
  }

  return length < settings.min_description_length || length > settings.max_description_length
    ? settings.messages.text_validation
    : null;
}

/** 'image', 'video', or null: the format by its first bytes, never by the file's name. */
function detectKind(head) {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) {
    return 'image';
  }

  if (head.length >= PNG_SIGNATURE.length && PNG_SIGNATURE.every((b, i) => head[i] === b)) {
    return 'image';
  }

  const ascii = (from, to) => String.fromCharCode(...head.slice(from, to));
  return head.length >= 12 && ascii(4, 8) === 'ftyp' && settings.video_brands.includes(ascii(8, 12)) ? 'video' : null;
}

async function mediaProblem(file) {
  if (!file) {
    return settings.messages.missing_media;
  }

  if (file.size === 0) {
    return settings.messages.media_upload;
  }

  const kind = detectKind(new Uint8Array(await file.slice(0, 12).arrayBuffer()));
  if (!kind) {
    return settings.messages.unsupported_format;
  }

  return file.size > (kind === 'video' ? settings.max_video_bytes : settings.max_image_bytes) ? settings.messages.media_upload : null;
}

function updateCount() {
  const length = serverLength($('description').value);
  const count = $('description-count');
  const invalid = length > 0 && (length < settings.min_description_length || length > settings.max_description_length);
  let text = `${length} / ${settings.max_description_length} characters`;
  if (length > settings.max_description_length) {
    text += ` (${length - settings.max_description_length} too many)`;
  } else if (invalid) {
    text += ` (at least ${settings.min_description_length})`;
  }

  count.textContent = text;
  count.classList.toggle('invalid', invalid);
  if (!$('description-error').hidden && !descriptionProblem($('description').value)) {
    setFieldError('description', 'description-error', null);
  }
}

function setFieldError(field, errorId, message) {
  $(errorId).textContent = message ?? '';
  $(errorId).hidden = !message;
  if (message) {
    $(field).setAttribute('aria-invalid', 'true');
  } else {
    $(field).removeAttribute('aria-invalid');
  }
}

function showFormError(message) {
  $('form-error').textContent = message ?? '';
  $('form-error').hidden = !message;
}

// ---- Uploading --------------------------------------------------------------------------------------------------

async function submit() {
  showFormError(null);
  if (!apiKey()) {
    showFormError('Enter your API key above first.');
    $('api-key').focus();
    return;
  }

  const file = $('media').files[0];
  const description = $('description').value;
  const [media, text] = [await mediaProblem(file), descriptionProblem(description)];
  setFieldError('media', 'media-error', media);
  setFieldError('description', 'description-error', text);
  if (media || text) {
    showFormError(media ?? text);
    $(media ? 'media' : 'description').focus();
    return;
  }

  // Fields before the file: the API checks them as soon as the media starts, before storing a large upload.
  const form = new FormData();
  form.append('scene_description', description);
  if ($('style-preset').value) {
    form.append('style_preset', $('style-preset').value);
  }

  form.append('aspect_ratio', $('aspect-ratio').value);
  form.append('output_count', $('output-count').value);
  form.append('media', file, file.name);

  const submitted = Date.now();
  $('submit').disabled = true;
  $('retry').disabled = true;
  try {
    const { status, body } = await upload(form, showProgress);
    if (status === 202 && body?.request_id) {
      follow(body.request_id, { startedAt: submitted });
      return;
    }

    // The API's refusal, with its message, next to the field it is about.
    const error = body?.error;
    // A refused aspect ratio says why (what the providers can make instead).
    const reason = error?.details?.field === 'aspect_ratio' ? error.details.reason : null;
    const message = [error?.message ?? `The upload was refused (HTTP ${status}).`, reason].filter(Boolean).join(' ');
    const field = { media: 'media', scene_description: 'description' }[error?.details?.field];
    if (field) {
      setFieldError(field, `${field}-error`, message);
    }

    showFormError(message);
  } catch {
    showFormError('The upload did not reach the service. Please check your connection and try again.');
  } finally {
    $('submit').disabled = false;
    $('retry').disabled = false;
    $('upload').hidden = true;
  }
}

/** POST /generate/cinematic with upload progress (fetch cannot report it): resolves with the status and JSON answer. */
function upload(form, onProgress) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', '/generate/cinematic');
    request.setRequestHeader('Authorization', `Bearer ${apiKey()}`);
    request.responseType = 'json';
    request.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) {
        onProgress(event.loaded / event.total);
      }
    });
    request.addEventListener('load', () => resolve({ status: request.status, body: request.response }));
    request.addEventListener('error', () => reject(new Error('upload failed')));
    request.addEventListener('abort', () => reject(new Error('upload aborted')));
    onProgress(0);
    request.send(form);
  });
}

function showProgress(fraction) {
  const percent = Math.round(fraction * 100);
  $('upload').hidden = false;
  $('upload-progress').value = percent;
  $('upload-percent').textContent = `${percent}%`;
}

// The ratios the API accepts for the chosen media (a photo or a video), keeping the choice when it is still offered.
function offerAspectRatios() {
  const select = $('aspect-ratio');
  const chosen = select.value;
  const isVideo = $('media').files[0]?.type.startsWith('video/') ?? false;
  const ratios = isVideo ? settings.video_aspect_ratios : settings.image_aspect_ratios;
  select.replaceChildren();
  fillSelect(select, ratios.map((r) => [r, r === 'original' ? 'Original' : r]));
  select.value = ratios.includes(chosen) ? chosen : 'original';
}

function showPreview() {
  offerAspectRatios();
  const preview = $('preview');
  for (const old of preview.querySelectorAll('img, video')) {
    URL.revokeObjectURL(old.src);
  }

  preview.replaceChildren();
  const file = $('media').files[0];
  setFieldError('media', 'media-error', null);
  if (!file || !/^(image\/(jpeg|png)|video\/(mp4|quicktime))$/.test(file.type)) {
    preview.hidden = true;
    return;
  }

  const element = document.createElement(file.type.startsWith('video/') ? 'video' : 'img');
  element.src = URL.createObjectURL(file);
  if (element instanceof HTMLImageElement) {
    element.alt = 'The chosen photo';
  } else {
    element.muted = true;
    element.controls = true;
    element.setAttribute('aria-label', 'The chosen video');
  }

  preview.append(element);
  preview.hidden = false;
}

// ---- Following a request ----------------------------------------------------------------------------------------

/**
 * Follows GET /requests/{id}/events until the request completes or fails. EventSource cannot send the Authorization
 * header, so the stream is read with fetch. A stream that ends early (a restart, a proxy) is opened again: it starts
 * with the current status. The clock runs from the submission on this page; a request opened from the list is timed
 * from its creation to its last change, as the service saw them.
 */
async function follow(requestId, { startedAt, fromList = false }) {
  followed?.controller.abort();
  clearInterval(followed?.timer);
  const controller = new AbortController();
  const current = { id: requestId, controller, startedAt, fromList, timer: setInterval(() => showElapsed(current), 1000) };
  followed = current;

  $('status-section').hidden = false;
  $('request-id').textContent = requestId;
  $('failure').hidden = true;
  $('result').hidden = true;
  showElapsed(current);

  for (let attempt = 0; !controller.signal.aborted; attempt++) {
    try {
      const response = await fetch(`/requests/${encodeURIComponent(requestId)}/events`, {
        headers: { ...authorization(), Accept: 'text/event-stream' },
        cache: 'no-store',
        signal: controller.signal,
      });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        stopClock(current, Date.now());
        showStatusError(body?.error?.message ?? `The service answered HTTP ${response.status}.`);
        return;
      }

      for await (const event of serverSentEvents(response.body)) {
        if (event.type !== 'status') {
          continue;
        }

        attempt = 0;
        const view = JSON.parse(event.data);
        showStatus(view, current);
        if (view.status === 'completed' || view.status === 'failed') {
          stopClock(current, fromList ? Date.parse(view.updated_at) : Date.now());
          controller.abort();
          loadRecent(view.status === 'completed' ? requestId : null);
          return;
        }
      }
    } catch {
      if (controller.signal.aborted) {
        return;
      }
    }

    await delay(Math.min(1000 * 2 ** attempt, 15000));
  }
}

/** The events of a text/event-stream body: { type, data } for each event; comments (heartbeats) are skipped. */
async function* serverSentEvents(body) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) {
        return;
      }

      buffer = (buffer + value).replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let type = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon === 0) {
            continue;
          }

          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') {
            type = value;
          } else if (field === 'data') {
            data.push(value);
          }
        }

        if (data.length > 0) {
          yield { type, data: data.join('\n') };
        }
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

function showStatus(view, current) {
  if (current !== followed) {
    return;
  }

  const progress = progressOf(view);
  $('status').dataset.status = progress;
  $('status-label').textContent = statusLabel(view);
  const reached = STEPS.indexOf(progress);
  document.querySelectorAll('.steps li').forEach((step, index) => {
    step.classList.toggle('done', index < reached || view.status === 'completed');
    if (index === reached) {
      step.setAttribute('aria-current', 'step');
    } else {
      step.removeAttribute('aria-current');
    }
  });

  if (view.status === 'failed') {
    $('failure-message').textContent = view.error?.message ?? 'Transformation failed.';
    $('failure').hidden = false;
  } else if (view.status === 'completed') {
    showResult(view);
  }
}

/** Where a request is: one of STEPS, or 'failed'. */
function progressOf(view) {
  switch (view.status) {
    case 'pending':
      return view.stage === 'generating' ? 'generating' : 'queued';
    case 'processing':
      return 'archiving';
    default:
      return view.status;
  }
}

function statusLabel(view) {
  switch (progressOf(view)) {
    case 'queued':
      return 'Queued';
    case 'generating':
      return `Generating with ${PROVIDER_NAMES[view.provider] ?? 'the provider'}`;
    case 'archiving':
      return 'Archiving the results';
    case 'completed':
      return 'Done';
    case 'failed':
      return 'Failed';
    default:
      return view.status;
  }
}

function showStatusError(message) {
  $('status').dataset.status = 'failed';
  $('status-label').textContent = message;
}

function showResult(view) {
  const data = view.result.data;
  const urls = data.transformed_media_urls;
  const seconds = data.processing_time.toFixed(1);
  $('result-meta').textContent =
    `${data.variation_count} ${data.variation_count === 1 ? 'variation' : 'variations'} by ${data.model_used} (${view.result.provider}) in ${seconds} s.`;

  const warnings = $('warnings');
  warnings.replaceChildren(...(data.warnings ?? []).map((text) => Object.assign(document.createElement('li'), { textContent: text })));
  warnings.hidden = warnings.childElementCount === 0;

  const figures = urls.map((url, index) => {
    const label = `Variation ${index + 1} of ${urls.length}`;
    const video = isVideo(url, view.task);
    const media = document.createElement(video ? 'video' : 'img');
    media.src = url;
    if (video) {
      media.controls = true;
      media.setAttribute('aria-label', label);
    } else {
      media.alt = `${label}: the transformed image`;
    }

    const download = document.createElement('a');
    download.href = view.download_urls?.[index] ?? url;
    download.download = '';
    download.textContent = 'Download';
    download.setAttribute('aria-label', `Download variation ${index + 1}`);

    const caption = document.createElement('figcaption');
    caption.append(Object.assign(document.createElement('span'), { textContent: label }), download);
    const figure = document.createElement('figure');
    figure.append(media, caption);
    return figure;
  });
  $('variations').replaceChildren(...figures);
  $('result').hidden = false;
}

/** Archived outputs keep their format's extension; a video task's outputs are videos. */
function isVideo(url, task) {
  const extension = new URL(url).pathname.split('.').pop().toLowerCase();
  return ['mp4', 'mov'].includes(extension) || (!['png', 'jpg', 'jpeg', 'webp'].includes(extension) && task === 'VIDEO_GENERATION');
}

function showElapsed(current, now = Date.now()) {
  if (current === followed) {
    const seconds = Math.max(0, Math.floor((now - current.startedAt) / 1000));
    $('elapsed').textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
  }
}

function stopClock(current, endedAt) {
  clearInterval(current.timer);
  showElapsed(current, endedAt);
}

// ---- Recent requests and credits ----------------------------------------------------------------------------------

/**
 * The tenant's latest requests with the credits each used. Credits are recorded just after archiving, so when a
 * request just completed (<paramref name="awaitingCredits"/>) the list is read again until its credits are in.
 */
async function loadRecent(awaitingCredits = null) {
  if (!apiKey()) {
    return;
  }

  for (let attempt = 0; attempt < 6; attempt++) {
    let recent;
    let credits;
    try {
      [recent, credits] = await Promise.all([getJson(`/requests?limit=${RECENT_LIMIT}`), getJson('/credits')]);
    } catch (error) {
      $('recent-message').textContent = error.message;
      $('recent-message').hidden = false;
      return;
    }

    showRecent(recent, credits);
    if (!awaitingCredits || credits.recent.some((entry) => entry.request_id === awaitingCredits)) {
      return;
    }

    await delay(1000);
  }
}

function showRecent(recent, credits) {
  const spent = new Map(credits.recent.map((entry) => [entry.request_id, `${entry.credits} ${entry.credit_unit}`]));
  $('credit-totals').textContent = credits.totals.length === 0
    ? 'No credits spent yet.'
    : 'Credits spent: ' + credits.totals.map((t) => `${t.credits} ${t.credit_unit} (${t.requests} ${t.requests === 1 ? 'request' : 'requests'})`).join(', ');

  const rows = recent.requests.map((request) => {
    const row = document.createElement('tr');
    row.dataset.requestId = request.request_id;
    const created = new Date(request.created_at);
    // Labelled for the narrow layout, where each row is a card without the header row.
    const cells = [
      ['Created', Object.assign(document.createElement('time'), { dateTime: request.created_at, textContent: created.toLocaleString() })],
      ['Status', statusLabel(request)],
      ['Variations', String(request.result?.data.variation_count ?? request.output_count)],
      ['Credits', spent.get(request.request_id) ?? '–'],
    ];
    for (const [label, content] of cells) {
      const cell = document.createElement('td');
      cell.dataset.label = label;
      cell.append(content);
      row.append(cell);
    }

    const show = document.createElement('button');
    show.type = 'button';
    show.className = 'secondary';
    show.textContent = 'Show';
    show.setAttribute('aria-label', `Show the request of ${created.toLocaleString()}`);
    show.addEventListener('click', () => follow(request.request_id, { startedAt: created.getTime(), fromList: true }));
    const actions = document.createElement('td');
    actions.append(show);
    row.append(actions);
    return row;
  });

  $('recent-rows').replaceChildren(...rows);
  $('recent').hidden = rows.length === 0;
  $('recent-message').hidden = rows.length > 0;
  $('recent-message').textContent = 'No requests yet.';
}

// ---- Small helpers --------------------------------------------------------------------------------------------------

function fillSelect(select, options) {
  for (const [value, text] of options) {
    select.append(new Option(text, value));
  }
}

function range(from, to) {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function titleCase(name) {
  return name.split('-').map((word) => word[0].toUpperCase() + word.slice(1)).join(' ');
}

function delay(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
