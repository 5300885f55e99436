/**
 * The real ChatKit widget path, with the CDN script replaced by a stub that defines
 * `<openai-chatkit>` and records what the plugin configures. The stub stands in only for
 * OpenAI's script (unreachable here); the site, plugin and backend are real, and the `fetch`
 * the plugin hands to ChatKit is called for real against the backend.
 */
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';

import {
  CHATKIT_CDN_URL,
  SITE_DIR,
  decodeContext,
  demoAndBrowser,
  recordBackendRequests,
} from './support.mjs';

/** The stub widget: keeps every setOptions call and imperative call on `window.__chatkitStub`. */
const STUB_SCRIPT = `
(() => {
  const record = (window.__chatkitStub = {options: [], calls: []});
  class StubChatKit extends HTMLElement {
    setOptions(options) {
      record.options.push(options);
      queueMicrotask(() => this.dispatchEvent(new CustomEvent('chatkit.ready', {detail: {}})));
    }
  }
  for (const method of ['focusComposer', 'setComposerValue', 'sendUserMessage', 'setThreadId', 'fetchUpdates', 'sendCustomAction']) {
    StubChatKit.prototype[method] = function (...args) {
      record.calls.push({method, args: JSON.parse(JSON.stringify(args ?? null))});
      return Promise.resolve();
    };
  }
  customElements.define('openai-chatkit', StubChatKit);
})();
`;

const golden = JSON.parse(await readFile(path.join(SITE_DIR, 'golden-facts.json'), 'utf8')).lessons;
const lesson = golden.find((fact) => fact.lesson_id === 'http-apis');

const live = demoAndBrowser();

test('the plugin configures the real ChatKit widget for the self-hosted backend', {timeout: 120_000}, async () => {
  const context = await live.browser.newContext({viewport: {width: 1280, height: 900}});
  let stubServed = 0;
  await context.route(CHATKIT_CDN_URL, (route) => {
    stubServed += 1;
    return route.fulfill({status: 200, contentType: 'text/javascript', body: STUB_SCRIPT});
  });
  const page = await context.newPage();
  const requests = recordBackendRequests(page, live.demo.baseUrl);

  await page.goto(`${live.demo.baseUrl}${lesson.permalink}`);
  assert.ok(stubServed >= 1, 'the page never requested the ChatKit script from the CDN');
  await page.locator('[data-tutorgpt="launcher"]').click();
  await page.waitForFunction(() => window.__chatkitStub?.options.length > 0, null, {timeout: 15_000});
  assert.equal(await page.locator('openai-chatkit').count(), 1, 'the widget element is not mounted');
  assert.equal(await page.locator('[data-tutorgpt="composer"]').count(), 0, 'the fallback panel showed despite the widget');

  // api.url and domainKey: the self-hosted (custom) mode, not the hosted getClientSecret mode.
  const api = await page.evaluate(() => {
    const {api} = window.__chatkitStub.options.at(-1);
    return {url: api.url, domainKey: api.domainKey, fetchType: typeof api.fetch, hasClientSecret: 'getClientSecret' in api};
  });
  assert.equal(new URL(api.url, live.demo.baseUrl).href, `${live.demo.baseUrl}/api/chatkit`);
  assert.equal(api.domainKey, 'local-dev');
  assert.equal(api.fetchType, 'function');
  assert.equal(api.hasClientSecret, false);

  // The custom fetch keeps ChatKit's own headers and adds the bearer and the page context.
  const reply = await page.evaluate(async () => {
    const {api} = window.__chatkitStub.options.at(-1);
    const response = await api.fetch(api.url, {
      method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-ChatKit-Probe': 'kept'},
      body: JSON.stringify({type: 'threads.list', params: {limit: 5, order: 'desc'}}),
    });
    return {status: response.status, body: await response.json()};
  });
  assert.equal(reply.status, 200, `threads.list answered ${JSON.stringify(reply)}`);
  assert.ok(Array.isArray(reply.body.data), `not a ChatKit page: ${JSON.stringify(reply.body)}`);

  const call = requests.findLast((request) => request.body?.includes('"threads.list"'));
  assert.ok(call, 'the custom fetch did not reach the backend');
  assert.match(call.headers.authorization ?? '', /^Bearer \S{16,}$/);
  assert.equal(call.headers['x-chatkit-probe'], 'kept', "ChatKit's own headers were dropped");
  const sent = decodeContext(call.headers['x-tutorgpt-context']);
  assert.equal(sent.page_path.replace(/\/$/, ''), lesson.permalink);
  assert.equal(sent.current_chapter, lesson.chapter_id);
  assert.equal(sent.current_lesson, lesson.lesson_id);
  await context.close();
});

test('options rebuilt on a colour-scheme change reopen the current thread, not the one the page loaded with', {timeout: 120_000}, async () => {
  const context = await live.browser.newContext({viewport: {width: 1280, height: 900}, colorScheme: 'light'});
  await context.route(CHATKIT_CDN_URL, (route) => route.fulfill({status: 200, contentType: 'text/javascript', body: STUB_SCRIPT}));
  const page = await context.newPage();
  await page.goto(`${live.demo.baseUrl}${lesson.permalink}`);
  await page.evaluate(() => window.localStorage.setItem('tutorgpt.thread', '"thr_loaded_with"'));
  await page.reload();
  await page.locator('[data-tutorgpt="launcher"]').click();
  await page.waitForFunction(() => window.__chatkitStub?.options.length > 0, null, {timeout: 15_000});
  assert.equal(await page.evaluate(() => window.__chatkitStub.options.at(-1).initialThread), 'thr_loaded_with');

  // The reader moves to another thread inside the widget, then switches the site to dark.
  await page.evaluate(() =>
    document.querySelector('openai-chatkit').dispatchEvent(new CustomEvent('chatkit.thread.change', {detail: {threadId: 'thr_now'}})),
  );
  const before = await page.evaluate(() => window.__chatkitStub.options.length);
  await page.evaluate(() => document.documentElement.setAttribute('data-theme', 'dark'));
  await page.waitForFunction((count) => window.__chatkitStub.options.length > count, before, {timeout: 10_000});
  const rebuilt = await page.evaluate(() => {
    const options = window.__chatkitStub.options.at(-1);
    return {scheme: options.theme.colorScheme, thread: options.initialThread};
  });
  assert.deepEqual(rebuilt, {scheme: 'dark', thread: 'thr_now'});
  await context.close();
});
