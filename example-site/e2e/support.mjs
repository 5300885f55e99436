/**
 * Shared set-up for the browser tests: the real demo server on a free loopback port, Debian's
 * Chromium driven by playwright-core, and a few reader gestures (dragging over a sentence).
 *
 * Everything here is real: the built example site, the Python backend with its SQLite files in
 * a temporary folder, and the offline tutor. Only the ChatKit CDN script is routed, because the
 * machines have no internet: aborted for the fallback panel, or replaced by a recording stub.
 */
import {spawn} from 'node:child_process';
import {existsSync} from 'node:fs';
import {mkdir, mkdtemp, rm} from 'node:fs/promises';
import {createServer} from 'node:net';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {after, before} from 'node:test';
import {chromium} from 'playwright-core';

export const SITE_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO_ROOT = path.resolve(SITE_DIR, '..');
/** The built site the demo serves; TUTORGPT_E2E_SITE_DIR runs the tests against another build. */
export const BUILT_SITE_DIR = process.env.TUTORGPT_E2E_SITE_DIR ?? SITE_DIR;
export const ARTIFACTS_DIR = process.env.TUTORGPT_ARTIFACTS ?? path.join(REPO_ROOT, 'test-artifacts');
export const CHATKIT_CDN_URL = 'https://cdn.platform.openai.com/deployments/chatkit/chatkit.js';

/** Chromium flags for a headless, quiet browser that never reaches out to Google services. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Seconds the demo may take to index the book and bind its port on a busy 2-core machine. */
const SERVER_START_TIMEOUT_MS = 45_000;

/** The venv's Python (or TUTORGPT_PYTHON), which has tutorgpt_asgi installed. */
export function pythonExecutable() {
  if (process.env.TUTORGPT_PYTHON) return process.env.TUTORGPT_PYTHON;
  const venvPython = path.join(REPO_ROOT, '.venv', 'bin', 'python');
  return existsSync(venvPython) ? venvPython : 'python3';
}

/** A port the OS says is free right now (the demo binds it a moment later). */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const {port} = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Run `python ...args` from the repository root, keeping its output for error messages.
 * Returns `{child, exited, running, output, stop}`; `stop()` sends SIGTERM, then SIGKILL after
 * 10 s (a server stuck in shutdown must not hang the suite), and waits for the exit.
 */
function spawnPython(args, env = process.env) {
  const child = spawn(pythonExecutable(), args, {cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe']});
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const running = () => child.exitCode === null && child.signalCode === null;
  async function stop() {
    if (running()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
  return {child, exited, running, output: () => output, stop};
}

/**
 * Poll `url` every 200 ms until `ready(response)` (by default a 2xx answer). If the server
 * exits first, or does not answer within SERVER_START_TIMEOUT_MS, it is killed and the error
 * carries its output, so a test that cannot start its server says why instead of timing out.
 */
async function waitUntilReady(server, url, what, ready = (response) => response.ok) {
  const deadline = Date.now() + SERVER_START_TIMEOUT_MS;
  for (;;) {
    let problem = null;
    if (!server.running()) {
      problem = `${what} exited with status ${server.child.exitCode ?? server.child.signalCode}`;
    } else if (Date.now() > deadline) {
      server.child.kill('SIGKILL');
      await server.exited;
      problem = `${what} did not answer within ${SERVER_START_TIMEOUT_MS} ms`;
    }
    if (problem) throw new Error(`${problem}:\n${server.output()}`);
    try {
      if (ready(await fetch(url, {signal: AbortSignal.timeout(2000)}))) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
}

/**
 * Start `python -m tutorgpt_asgi.demo --no-build` on the built site with fresh SQLite files.
 * The model variables are removed so the deterministic offline tutor answers, unless `model`
 * names a scripted OpenAI-compatible server (see {@link startScriptedModel}). `env` adds settings:
 * an object, or a function of the demo's own URL (sign-in's public URL and origins).
 * Returns `{baseUrl, stop, output}`; `stop()` ends the server and removes its data.
 */
export async function startDemo({model, env: extraEnv = {}, siteDir = BUILT_SITE_DIR} = {}) {
  const indexFile = path.join(siteDir, 'build', 'tutorgpt', 'book-index.json');
  if (!existsSync(indexFile)) {
    throw new Error(`${indexFile} is missing: build the site first (npm run build -w example-site)`);
  }
  const stateDir = await mkdtemp(path.join(tmpdir(), 'tutorgpt-e2e-'));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {...process.env};
  for (const name of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'TUTORGPT_MODEL', 'TUTORGPT_OPENAI_API_KEY', 'TUTORGPT_OPENAI_BASE_URL']) {
    delete env[name];
  }
  if (model) Object.assign(env, {OPENAI_BASE_URL: model.baseUrl, OPENAI_API_KEY: 'sk-e2e', TUTORGPT_MODEL: 'scripted'});
  Object.assign(env, typeof extraEnv === 'function' ? extraEnv(baseUrl) : extraEnv);
  const server = spawnPython(
    ['-m', 'tutorgpt_asgi.demo', '--no-build', '--port', String(port), '--site-dir', siteDir, '--state-dir', stateDir],
    env,
  );
  async function stop() {
    await server.stop();
    await rm(stateDir, {recursive: true, force: true});
  }
  try {
    await waitUntilReady(server, `${baseUrl}/docs/intro/`, 'the demo');
  } catch (error) {
    await stop();
    throw error;
  }
  return {baseUrl, stop, output: server.output};
}

/**
 * `python -m tutorgpt_asgi.testing.openai_server`: the project's scripted OpenAI-compatible
 * server, streaming `answer` in `chunks` pieces `delay` seconds apart. Returns `{baseUrl, stop}`.
 */
export async function startScriptedModel({answer, chunks = 6, delay = 0}) {
  const port = await freePort();
  const server = spawnPython(
    ['-m', 'tutorgpt_asgi.testing.openai_server', '--port', String(port), '--answer', answer, '--chunks', String(chunks), '--delay', String(delay)],
  );
  const baseUrl = `http://127.0.0.1:${port}/v1`;
  // The scripted server has no GET route to ask: any HTTP answer (a 404) means it listens.
  await waitUntilReady(server, `${baseUrl}/models`, 'the scripted OpenAI server', () => true);
  return {baseUrl, stop: server.stop};
}

/**
 * A real OpenID Connect provider for sign-in tests: `oidc-provider-mock` (a test dependency of
 * the Python package) on a free loopback port, requiring a nonce, knowing `users` (claims with
 * a `sub`). Returns `{issuer, stop}`.
 */
export async function startOidcProvider(users) {
  const port = await freePort();
  const args = ['-m', 'oidc_provider_mock', '--host', '127.0.0.1', '--port', String(port), '--require-nonce'];
  for (const user of users) args.push('--user-claims', JSON.stringify(user));
  const server = spawnPython(args);
  const issuer = `http://127.0.0.1:${port}`;
  await waitUntilReady(server, `${issuer}/.well-known/openid-configuration`, 'the OpenID provider');
  return {issuer, stop: server.stop};
}

/** Launch Debian's Chromium (or CHROMIUM_PATH) headless through playwright-core. */
export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 30_000,
  });
}

/** Make sure the screenshot folder exists and return the path for `name`. */
export async function artifactPath(name) {
  await mkdir(ARTIFACTS_DIR, {recursive: true});
  return path.join(ARTIFACTS_DIR, name);
}

/**
 * Where a documentation screenshot goes: the test artifacts, or docs/images/ itself when
 * TUTORGPT_UPDATE_SCREENSHOTS=1 (so an ordinary run never changes the checkout).
 */
export async function screenshotPath(name) {
  return process.env.TUTORGPT_UPDATE_SCREENSHOTS === '1' ? path.join(REPO_ROOT, 'docs', 'images', name) : artifactPath(name);
}

/** Collapse whitespace the way a reader sees text. */
export const normalize = (text) => text.replace(/\s+/g, ' ').trim();

/**
 * Runs in the page: find `wanted` (whitespace-normalised) in one text node of the lesson's
 * article and return the boxes of its first and last characters, optionally scrolling it into
 * the middle of the viewport first. Self-contained because Playwright serialises it.
 */
function sentenceBoxes({wanted, scroll}) {
  const article = document.querySelector('article .markdown') ?? document.querySelector('article');
  const words = wanted.split(' ');
  const head = words.slice(0, 4).join(' ');
  const tail = words.slice(-2).join(' ');
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const flat = node.data.replace(/\s/g, ' ');
    const start = flat.indexOf(head);
    const tailAt = start < 0 ? -1 : flat.indexOf(tail, start);
    if (tailAt < 0) continue;
    // Instant: Docusaurus sets smooth scrolling, and the plugin hides its button on scroll.
    if (scroll) node.parentElement.scrollIntoView({block: 'center', behavior: 'instant'});
    const boxOf = (offset) => {
      const range = document.createRange();
      range.setStart(node, offset);
      range.setEnd(node, offset + 1);
      const {x, y, width, height} = range.getClientRects()[0];
      return {x, y, width, height};
    };
    return {first: boxOf(start), last: boxOf(tailAt + tail.length - 1)};
  }
  return null;
}

/**
 * Select `sentence` inside the lesson's article the way a reader does: press the mouse on its
 * first character, drag, and release on its last. Returns the browser's selected text.
 * The sentence must sit in one text node (no inline markup inside it).
 */
export async function dragSelect(page, sentence) {
  const wanted = normalize(sentence);
  if ((await page.evaluate(sentenceBoxes, {wanted, scroll: true})) === null) {
    throw new Error(`sentence not found in the article: ${sentence}`);
  }
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  const {first, last} = await page.evaluate(sentenceBoxes, {wanted, scroll: false});
  await page.mouse.move(first.x + 1, first.y + first.height / 2);
  await page.mouse.down();
  await page.mouse.move(last.x + last.width - 0.5, last.y + last.height / 2, {steps: 8});
  await page.mouse.up();
  return page.evaluate(() => window.getSelection().toString());
}

/**
 * Record the tutor's HTTP traffic: every request to the backend with its headers, so a test
 * can read the bearer secret and the context header the page sent.
 */
export function recordBackendRequests(page, baseUrl) {
  const requests = [];
  page.on('request', (request) => {
    if (request.url().startsWith(`${baseUrl}/api/chatkit`)) {
      requests.push({url: request.url(), method: request.method(), headers: request.headers(), body: request.postData()});
    }
  });
  return requests;
}

/** Decode the plugin's `X-TutorGPT-Context` header (base64url JSON). */
export function decodeContext(value) {
  return JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
}

/** The bearer secret of the newest backend request that carried one. */
export function latestBearer(requests) {
  for (let i = requests.length - 1; i >= 0; i--) {
    const header = requests[i].headers.authorization;
    if (header?.startsWith('Bearer ')) return header.slice('Bearer '.length);
  }
  return null;
}

/** The backend's record of the reader's sessions (`GET /api/chatkit/sessions`). */
export async function sessionsOf(baseUrl, secret) {
  const response = await fetch(`${baseUrl}/api/chatkit/sessions`, {
    headers: {authorization: `Bearer ${secret}`},
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) throw new Error(`GET /api/chatkit/sessions answered ${response.status}`);
  return response.json();
}

/**
 * The demo server and Chromium for one test file: started before its tests, stopped after.
 * Returns the live handles (`demo`, `browser`), filled in once `before` has run.
 */
export function demoAndBrowser({answer, chunks, delay, env, siteDir = () => BUILT_SITE_DIR} = {}) {
  const live = {demo: undefined, browser: undefined, model: undefined};
  before(async () => {
    if (answer) live.model = await startScriptedModel({answer, chunks, delay});
    live.demo = await startDemo({model: live.model, env, siteDir: siteDir()});
    live.browser = await launchBrowser();
  });
  after(async () => {
    await live.browser?.close();
    await live.demo?.stop();
    await live.model?.stop();
  });
  return live;
}

/**
 * For files whose many short readers all come from 127.0.0.1: the default limits (10 sessions
 * and 20 messages a minute) are the backend's own business and are tested there.
 */
export const GENEROUS_LIMITS = {TUTORGPT_RATE_LIMIT: '600/minute', TUTORGPT_MESSAGE_RATE_LIMIT: '600/minute'};

/** The two readers every panel test runs as: a phone and a desktop, each in light and dark. */
export const VIEWPORTS = [
  {name: 'phone', viewport: {width: 390, height: 844}, isMobile: true, hasTouch: true},
  {name: 'desktop', viewport: {width: 1280, height: 800}},
];
export const READERS = VIEWPORTS.flatMap((device) => ['light', 'dark'].map((colorScheme) => ({...device, colorScheme, label: `${device.name} ${colorScheme}`})));

/** A page for `reader` with the ChatKit CDN unreachable (the fallback panel shows at once). */
export async function readerPage(browser, reader) {
  const {name, label, ...options} = reader;
  const context = await browser.newContext(options);
  await context.route(CHATKIT_CDN_URL, (route) => route.abort('internetdisconnected'));
  const page = await context.newPage();
  return {context, page};
}

/** Open the panel with the launcher and wait for the fallback composer. */
export async function openPanel(page) {
  await page.locator('[data-tutorgpt="launcher"]').click();
  await page.locator('[data-tutorgpt="composer"]').waitFor({state: 'visible', timeout: 20_000});
}
