// Drives /dashboard/cinematic-switch in headless Chromium as a person would: the spec's messages before any upload,
// the server's refusal after one, an upload followed to its archived result, a failure and "Try again", and the
// recent requests with their credits. Run by DashboardTests (which checks the downloads against S3), or by hand
// against the dev stack:
//
//   DASHBOARD_URL=$(jq -r .ingestUrl .devstack/endpoints.json) DASHBOARD_API_KEY=$(jq -r .demoTenant.apiKey .devstack/endpoints.json) \
//     node tests/Dashboard.Tests/browser/dashboard.spec.mjs
//
// Environment: DASHBOARD_URL, DASHBOARD_API_KEY (required); DASHBOARD_ARTIFACTS (screenshots, default .artifacts);
// DASHBOARD_FAILING_DESCRIPTION and DASHBOARD_FAILURE_MESSAGE (a description the provider refuses once, and the
// message expected then; the failure step is skipped without them). Prints one line "DASHBOARD-RESULT {json}".

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const BASE_URL = required('DASHBOARD_URL').replace(/\/$/, '');
const API_KEY = required('DASHBOARD_API_KEY');
const ARTIFACTS = resolve(process.env.DASHBOARD_ARTIFACTS ?? '.artifacts');
const FAILING_DESCRIPTION = process.env.DASHBOARD_FAILING_DESCRIPTION;
const FAILURE_MESSAGE = process.env.DASHBOARD_FAILURE_MESSAGE;
const PAGE_URL = `${BASE_URL}/dashboard/cinematic-switch`;
const DESCRIPTION = 'a medieval knight in a castle courtyard, wearing armor and holding a sword';
// Each hop of the stack (Kafka, provider, archive) can take a second or two on a busy machine.
const OUTCOME_TIMEOUT = 120_000;
const PROGRESS = ['queued', 'generating', 'archiving', 'completed'];
const ALLOWED_STATUSES = new Set([...PROGRESS, 'failed']);
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
  '--disable-sync', '--no-first-run'];

const result = { completed: [], failed: null, steps: [] };
const work = mkdtempSync(join(tmpdir(), 'dashboard-'));
mkdirSync(ARTIFACTS, { recursive: true });
const media = makeMedia(work);
// The limits and messages the page is served, which are the API's own.
const settings = await (await fetch(`${PAGE_URL}/settings.json`)).json();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });

try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const watch = watchPage(page);

  await step('the page loads from this origin with its Content-Security-Policy', async () => {
    const response = await page.goto(PAGE_URL);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-security-policy'], /default-src 'self'/);
    await page.locator('#style-preset option[value="medieval"]').waitFor({ state: 'attached' });
  });

  await step('every control has a label and the status is announced', async () => {
    const unlabelled = await page.$$eval('input, select, textarea', (controls) =>
      controls.filter((c) => c.labels.length === 0 && !c.getAttribute('aria-label')).map((c) => c.id));
    assert.deepEqual(unlabelled, []);
    assert.equal(await page.getAttribute('#status', 'aria-live'), 'polite');
  });

  await step('the API key is asked for once and kept in the tab only', async () => {
    await page.fill('#api-key', API_KEY);
    await page.press('#api-key', 'Enter');
    await page.locator('#key-status', { hasText: 'Key saved' }).waitFor();
    assert.equal(await page.evaluate(() => sessionStorage.getItem('cinematic-switch.api-key')), API_KEY);
    assert.equal(await page.evaluate(() => localStorage.length), 0);
  });

  await step('a too short description gets the spec message before any upload', async () => {
    await page.setInputFiles('#media', media.photo);
    await page.fill('#description', '  too short  ');
    assert.equal(await page.textContent('#description-count'), '9 / 2000 characters (at least 10)');
    await page.click('#submit');
    await expectText(page, '#description-error', settings.messages.text_validation);
    await expectText(page, '#form-error', settings.messages.text_validation);
    assert.equal(await page.getAttribute('#description', 'aria-invalid'), 'true');
    assert.equal(watch.uploads(), 0, 'nothing may be uploaded');
  });

  await step('a text file named .jpg gets the spec message before any upload', async () => {
    await page.setInputFiles('#media', media.fakeJpeg);
    await page.fill('#description', DESCRIPTION);
    await page.click('#submit');
    await expectText(page, '#media-error', settings.messages.unsupported_format);
    await expectText(page, '#form-error', settings.messages.unsupported_format);
    assert.equal(watch.uploads(), 0, 'nothing may be uploaded');
  });

  await step("a video is offered only the ratios the API accepts for one, and the server's refusal says why", async () => {
    await page.setInputFiles('#media', media.video);
    const offered = await page.$$eval('#aspect-ratio option', (options) => options.map((o) => o.value));
    assert.deepEqual(offered, settings.video_aspect_ratios);
    assert.ok(!offered.includes('5:4') && settings.image_aspect_ratios.includes('5:4'), 'a ratio only photos can have');
    // A page older than the API's rules could still send it: the API refuses it, naming what the provider can do instead.
    await page.$eval('#aspect-ratio', (select) => select.append(new Option('5:4', '5:4')));
    await page.selectOption('#aspect-ratio', '5:4');
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/generate/cinematic')), page.click('#submit')]);
    assert.equal(response.status(), 400);
    const body = await response.json();
    assert.equal(body.success, false);
    assert.match(body.error.details.reason, /aleph2/);
    await expectText(page, '#form-error', `${body.error.message} ${body.error.details.reason}`);
    assert.equal(watch.uploads(), 1);
  });

  await step('the form is usable from the keyboard', async () => {
    await page.focus('#description');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'style-preset');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'aspect-ratio');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'output-count');
  });

  let requestId;
  await step('a photo is uploaded with progress and followed live to its archived result', async () => {
    await page.setInputFiles('#media', media.photo);
    await page.selectOption('#style-preset', 'medieval');
    await page.selectOption('#aspect-ratio', '16:9');
    await page.selectOption('#output-count', '2');
    await recordChanges(page);
    const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/generate/cinematic')), page.click('#submit')]);
    assert.equal(response.status(), 202, await response.text());
    requestId = (await response.json()).request_id;
    await page.locator('#status[data-status="completed"]').waitFor({ timeout: OUTCOME_TIMEOUT });
    await expectText(page, '#request-id', requestId);

    const seen = await page.evaluate(() => window.dashboardTest);
    assert.ok(seen.progress.includes(100), `upload progress reached 100%: ${seen.progress}`);
    assert.equal(seen.statuses.at(-1), 'completed');
    result.statuses = seen.statuses;
    assert.ok(seen.statuses.every((s) => ALLOWED_STATUSES.has(s)), `statuses shown: ${seen.statuses}`);
    // Live updates only move forward, and the job's 1.5 s at the provider show as "generating", naming it.
    const order = seen.statuses.map((s) => PROGRESS.indexOf(s));
    assert.ok(order.every((index, i) => i === 0 || index > order[i - 1]), `statuses shown in order: ${seen.statuses}`);
    assert.equal(seen.labels[seen.statuses.indexOf('generating')], 'Generating with Replicate', `statuses shown: ${seen.statuses}`);
    assert.ok(seen.labels.length > 0 && seen.labels.every((l) => l.length > 0));
    assert.match(await page.textContent('#elapsed'), /^\d+:\d\d$/);
    assert.equal(await page.textContent('#status-label'), 'Done');
    result.completed.push(await checkResult(page, requestId, 2));
  });

  await step('the recent requests list the request with its credits', async () => {
    const row = page.locator(`#recent-rows tr[data-request-id="${requestId}"]`);
    await row.waitFor({ timeout: 30_000 });
    await page.waitForFunction((id) => {
      const credits = document.querySelector(`#recent-rows tr[data-request-id="${id}"] td:nth-child(4)`);
      return credits && credits.textContent !== '–';
    }, requestId, { timeout: 30_000 });
    result.credits = await row.locator('td:nth-child(4)').textContent();
    assert.match(result.credits, /^\d+(\.\d+)? \S+$/);
    assert.match(await page.textContent('#credit-totals'), /^Credits spent: /);
  });

  await step('screenshot of the finished page', async () => {
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
  });

  await step('the page fits a phone and shows the result there', async () => {
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
    const small = await phone.newPage();
    const smallWatch = watchPage(small);
    await small.goto(PAGE_URL);
    await small.fill('#api-key', API_KEY);
    await small.click('#key-form button[type="submit"]');
    await small.locator(`#recent-rows tr[data-request-id="${requestId}"] button`).click();
    await small.locator('#status[data-status="completed"]').waitFor({ timeout: 30_000 });
    await small.waitForFunction(() => [...document.querySelectorAll('#variations img')].every((img) => img.complete && img.naturalWidth > 0));
    const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await small.screenshot({ path: join(ARTIFACTS, 'dashboard-phone.png'), fullPage: true });
    smallWatch.assertClean();
    await phone.close();
  });

  if (FAILING_DESCRIPTION) {
    await step('a failed transformation shows the spec message, and "Try again" resubmits the same inputs', async () => {
      await page.fill('#description', FAILING_DESCRIPTION);
      await page.selectOption('#output-count', '1');
      await recordChanges(page);
      const before = watch.uploads();
      await page.click('#submit');
      await page.locator('#status[data-status="failed"]').waitFor({ timeout: OUTCOME_TIMEOUT });
      await expectText(page, '#failure-message', FAILURE_MESSAGE);
      result.failed = (await page.textContent('#request-id')).trim();

      const [response] = await Promise.all([page.waitForResponse((r) => r.url().endsWith('/generate/cinematic')), page.click('#retry')]);
      assert.equal(response.status(), 202);
      assert.equal(watch.uploads(), before + 2);
      const retried = (await response.json()).request_id;
      assert.notEqual(retried, result.failed);
      assert.equal(await page.inputValue('#description'), FAILING_DESCRIPTION);
      assert.equal(await page.$eval('#media', (input) => input.files[0]?.name), 'photo.jpg');
      await page.locator('#status[data-status="completed"]').waitFor({ timeout: OUTCOME_TIMEOUT });
      assert.ok(await page.locator('#failure').isHidden());
      const seen = await page.evaluate(() => window.dashboardTest.statuses);
      assert.ok(seen.every((s) => ALLOWED_STATUSES.has(s)), `statuses shown: ${seen}`);
      result.completed.push(await checkResult(page, retried, 1));
    });
  }

  watch.assertClean();
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}

console.log(`DASHBOARD-RESULT ${JSON.stringify(result)}`);

// ---- helpers ----------------------------------------------------------------------------------------------------

function required(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is required`);
  }

  return value;
}

async function step(name, body) {
  const started = Date.now();
  await body();
  const ms = Date.now() - started;
  result.steps.push({ name, ms });
  console.log(`ok  ${name} (${ms} ms)`);
}

/** A real photo and video made with ffmpeg, and a text file that pretends to be a photo. */
function makeMedia(directory) {
  const ffmpeg = (...args) => execFileSync('ffmpeg', ['-loglevel', 'error', '-y', ...args]);
  const photo = join(directory, 'photo.jpg');
  const video = join(directory, 'clip.mp4');
  const fakeJpeg = join(directory, 'holiday.jpg');
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=640x480', '-frames:v', '1', photo);
  ffmpeg('-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=24', '-t', '1', '-pix_fmt', 'yuv420p', video);
  writeFileSync(fakeJpeg, 'this is a text file, not a photo\n');
  return { photo, video, fakeJpeg };
}

/**
 * What a page does that a test must know about: its uploads, and anything that would be a defect on its own (script
 * errors, blocked resources, an API key in a URL, requests to origins other than Ingest and the archive).
 */
function watchPage(page) {
  const problems = [];
  let uploads = 0;
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    // Failed loads are judged by their responses below: the refusal step provokes one on purpose.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
      problems.push(`console: ${message.text()}`);
    }
  });
  page.on('response', (response) => {
    if (response.status() >= 400 && !response.url().endsWith('/generate/cinematic')) {
      problems.push(`HTTP ${response.status()} for ${new URL(response.url()).pathname}`);
    }
  });
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (request.method() === 'POST' && url.pathname === '/generate/cinematic') {
      uploads++;
    }

    if (request.url().includes(API_KEY)) {
      problems.push(`the API key in a URL: ${url.pathname}`);
    }

    if (url.origin !== new URL(BASE_URL).origin && !request.url().startsWith('blob:') && !isArchive(url)) {
      problems.push(`request to another origin: ${url.origin}`);
    }
  });
  return { uploads: () => uploads, assertClean: () => assert.deepEqual(problems, []) };
}

/** The archive's presigned links: S3-signed URLs, whatever the S3 endpoint is. */
function isArchive(url) {
  return url.searchParams.has('X-Amz-Signature');
}

/** Records every status and upload progress value the page shows from now on (in window.dashboardTest). */
async function recordChanges(page) {
  await page.evaluate(() => {
    window.dashboardTest?.observer.disconnect();
    const state = { statuses: [], labels: [], progress: [] };
    state.observer = new MutationObserver(() => {
      const status = document.getElementById('status').dataset.status;
      if (status && status !== state.statuses.at(-1)) {
        state.statuses.push(status);
        state.labels.push(document.getElementById('status-label').textContent);
      }

      const progress = Number(document.getElementById('upload-progress').value);
      if (progress !== state.progress.at(-1)) {
        state.progress.push(progress);
      }
    });
    state.observer.observe(document.body, { attributes: true, childList: true, characterData: true, subtree: true });
    window.dashboardTest = state;
  });
}

async function expectText(page, selector, text) {
  await page.waitForFunction(([s, t]) => document.querySelector(s)?.textContent.trim() === t, [selector, text], { timeout: 10_000 })
    .catch(async () => assert.equal((await page.textContent(selector))?.trim(), text, selector));
}

/** The variations are shown (decoded images) and each download link gives a file: what it gave, for the C# side. */
async function checkResult(page, requestId, variations) {
  const images = page.locator('#variations img');
  await page.waitForFunction((n) => {
    const shown = [...document.querySelectorAll('#variations img')];
    return shown.length === n && shown.every((img) => img.complete && img.naturalWidth > 0);
  }, variations, { timeout: 30_000 });
  assert.equal(await images.count(), variations);

  const downloads = [];
  for (const link of await page.locator('#variations a[download]').all()) {
    const href = await link.getAttribute('href');
    const response = await fetch(href);
    assert.equal(response.status, 200, href);
    assert.match(response.headers.get('content-disposition') ?? '', /^attachment; filename="cinematic-switch-/);
    const bytes = Buffer.from(await response.arrayBuffer());
    downloads.push({ length: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }

  assert.equal(downloads.length, variations);
  return { requestId, downloads };
}
