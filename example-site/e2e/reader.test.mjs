/**
 * A reader's path through the book with the fallback panel (the ChatKit CDN is unreachable):
 * select a sentence, ask, read the streamed and cited answer, follow the citation, move to
 * another chapter and ask again, reload and find the conversation still there. The backend's
 * own record of the session is checked at each step, so the test proves the context travelled.
 */
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';

import {
  CHATKIT_CDN_URL,
  SITE_DIR,
  artifactPath,
  decodeContext,
  demoAndBrowser,
  dragSelect,
  latestBearer,
  normalize,
  recordBackendRequests,
  sessionsOf,
} from './support.mjs';

const golden = JSON.parse(await readFile(path.join(SITE_DIR, 'golden-facts.json'), 'utf8')).lessons;
const chunking = golden.find((fact) => fact.lesson_id === 'chunking');
const agentLoop = golden.find((fact) => fact.lesson_id === 'agent-loop');

/** Generous for a 2-core machine shared by several engineers; a healthy run needs ~1 s. */
const ANSWER_TIMEOUT_MS = 30_000;
/** The plugin waits for the ChatKit script before it falls back; the route aborts it at once. */
const FALLBACK_TIMEOUT_MS = 20_000;

const assistantDone = '[data-tutorgpt="message"][data-role="assistant"][data-done="true"]';

const live = demoAndBrowser();

/** The path of a citation link, resolved against the page, without a trailing slash. */
function citedPath(href, baseUrl) {
  return new URL(href, baseUrl).pathname.replace(/\/$/, '');
}

/** The session the page is using now, as the backend recorded it. */
async function currentSession(requests) {
  const secret = latestBearer(requests);
  assert.ok(secret, 'the page sent no bearer secret to the backend');
  const body = await sessionsOf(live.demo.baseUrl, secret);
  const session = body.data.find((entry) => entry.session_id === body.current_session_id);
  assert.ok(session, `the current session is missing from ${JSON.stringify(body)}`);
  return session;
}

/** The context header of the newest protocol request (POST /api/chatkit). */
function lastProtocolContext(requests) {
  const protocol = requests.filter(
    (request) => request.method === 'POST' && new URL(request.url).pathname.replace(/\/$/, '') === '/api/chatkit',
  );
  assert.ok(protocol.length > 0, 'no ChatKit protocol request was sent');
  const header = protocol.at(-1).headers['x-tutorgpt-context'];
  assert.ok(header, 'the protocol request carried no X-TutorGPT-Context header');
  return decodeContext(header);
}

/** Open the panel with the launcher unless it is open already. */
async function openPanel(page) {
  const panel = page.locator('[data-tutorgpt="panel"]');
  if (!(await panel.isVisible())) await page.locator('[data-tutorgpt="launcher"]').click();
  await page.locator('[data-tutorgpt="composer"]').waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
}

/** Screenshot the panel and the page with the reader's first question at the top of the thread. */
async function screenshots(page, scheme) {
  await page
    .locator('[data-tutorgpt="message"][data-role="user"]')
    .first()
    .evaluate((message) => {
      // Scroll only the thread's own scroller (scrollIntoView would also scroll the panel).
      let scroller = message.parentElement;
      while (scroller && !(/auto|scroll/.test(getComputedStyle(scroller).overflowY) && scroller.scrollHeight > scroller.clientHeight)) {
        scroller = scroller.parentElement;
      }
      if (scroller) scroller.scrollTop += message.getBoundingClientRect().top - scroller.getBoundingClientRect().top - 8;
    });
  await page.locator('[data-tutorgpt="panel"]').screenshot({path: await artifactPath(`panel-${scheme}.png`)});
  await page.screenshot({path: await artifactPath(`lesson-with-panel-${scheme}.png`)});
}

/** Send what is in the composer and wait for the answer at position `index` to finish. */
async function sendAndAwaitAnswer(page, index) {
  await page.locator('[data-tutorgpt="send"]').click();
  const answer = page.locator(assistantDone).nth(index);
  await answer.waitFor({state: 'visible', timeout: ANSWER_TIMEOUT_MS});
  return answer;
}

test('a reader asks about a sentence, follows the citation, changes chapter and reloads', {timeout: 180_000}, async () => {
  const context = await live.browser.newContext({viewport: {width: 1280, height: 900}, colorScheme: 'light'});
  await context.route(CHATKIT_CDN_URL, (route) => route.abort('internetdisconnected'));
  const page = await context.newPage();
  const requests = recordBackendRequests(page, live.demo.baseUrl);
  const streamed = [];
  page.on('response', (response) => {
    if (response.request().method() === 'POST' && response.url().startsWith(`${live.demo.baseUrl}/api/chatkit`)) {
      streamed.push(response.headers()['content-type'] ?? '');
    }
  });

  // 1. Open a lesson and select its key sentence with the mouse.
  await page.goto(`${live.demo.baseUrl}${chunking.permalink}`);
  const launcher = page.locator('[data-tutorgpt="launcher"]');
  await launcher.waitFor({state: 'visible', timeout: 10_000}); // the tutor has mounted
  const selected = await dragSelect(page, chunking.fact);
  assert.equal(normalize(selected), chunking.fact);

  // 2. "Ask TutorGPT" opens the panel with the sentence quoted, then send it.
  const ask = page.locator('[data-tutorgpt="ask-selection"]');
  await ask.waitFor({state: 'visible', timeout: 5_000});
  await ask.click();
  const panel = page.locator('[data-tutorgpt="panel"]');
  await panel.waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
  await page.locator('[data-tutorgpt="composer"]').waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
  assert.match(normalize(await panel.innerText()), /15 percent/, 'the selected sentence is not quoted in the panel');
  const firstAnswer = await sendAndAwaitAnswer(page, 0);

  // 3. The answer streamed (SSE) and cites a section of this very lesson.
  assert.ok(streamed.some((type) => type.startsWith('text/event-stream')), `no streamed response: ${streamed}`);
  assert.ok(normalize(await firstAnswer.innerText()).length > 20, 'the answer is empty');
  const citation = firstAnswer.locator('a[data-tutorgpt="citation"]').first();
  const href = await citation.getAttribute('href');
  assert.equal(citedPath(href, live.demo.baseUrl), chunking.permalink, `citation ${href} is not in the lesson`);
  const context1 = lastProtocolContext(requests);
  assert.deepEqual([context1.current_chapter, context1.current_lesson], [chunking.chapter_id, chunking.lesson_id]);
  const asked = requests.find((request) => request.body?.includes('"threads.create"'));
  assert.ok(asked, 'no threads.create request');
  const quoted = JSON.parse(asked.body).params.input.quoted_text ?? '';
  assert.ok(normalize(quoted).includes('chunk overlap is 15 percent'), `the selection was not sent: ${quoted}`);
  await screenshots(page, 'light');

  // 4. Following the citation lands on the cited section of the lesson.
  await citation.click();
  await page.waitForURL((url) => url.pathname.replace(/\/$/, '') === chunking.permalink, {timeout: 10_000});
  const hash = new URL(href, live.demo.baseUrl).hash;
  assert.ok(hash.length > 1, `citation ${href} names no section`);
  assert.equal(new URL(page.url()).hash, hash);
  const anchor = decodeURIComponent(hash.slice(1));
  assert.equal(await page.locator(`article [id="${anchor}"]`).count(), 1, `no section #${anchor} in the lesson`);
  assert.ok(await panel.isVisible(), 'following a citation on a desktop-width page closed the panel');

  // 5. The backend recorded the chapter and lesson for this session.
  const firstSession = await currentSession(requests);
  assert.equal(firstSession.current_chapter, chunking.chapter_id);
  assert.equal(firstSession.current_lesson, chunking.lesson_id);

  // 6. Move to another chapter through the sidebar, as a reader would, and ask there.
  await page.locator('nav.menu a.menu__link', {hasText: 'Foundations of AI agents'}).click();
  await page.locator('nav.menu a.menu__link', {hasText: 'The agent loop'}).click();
  await page.waitForURL((url) => url.pathname.replace(/\/$/, '') === agentLoop.permalink, {timeout: 10_000});
  await openPanel(page);
  await page.locator('[data-tutorgpt="composer"]').fill(agentLoop.question);
  const secondAnswer = await sendAndAwaitAnswer(page, 1);
  const context2 = lastProtocolContext(requests);
  assert.equal(context2.current_chapter, agentLoop.chapter_id);
  assert.equal(context2.current_lesson, agentLoop.lesson_id);
  const secondHref = await secondAnswer.locator('a[data-tutorgpt="citation"]').first().getAttribute('href');
  assert.equal(citedPath(secondHref, live.demo.baseUrl), agentLoop.permalink, `citation ${secondHref} is not in the new lesson`);
  const secondSession = await currentSession(requests);
  assert.equal(secondSession.current_chapter, agentLoop.chapter_id);
  assert.equal(secondSession.current_lesson, agentLoop.lesson_id);

  // 7. A reload brings the same conversation back from the server.
  const before = await page.locator('[data-tutorgpt="message"]').allInnerTexts();
  await page.reload();
  await launcher.waitFor({state: 'visible', timeout: 10_000});
  await openPanel(page);
  await page.locator(assistantDone).nth(1).waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
  const afterReload = await page.locator('[data-tutorgpt="message"]').allInnerTexts();
  assert.deepEqual(afterReload.map(normalize), before.map(normalize));
  assert.ok(afterReload.some((text) => text.includes(agentLoop.question)), 'the second question is gone');

  // 8. The same panel in dark mode, for the screenshots.
  await page.emulateMedia({colorScheme: 'dark'});
  await page.evaluate(() => window.localStorage.removeItem('theme'));
  await page.reload();
  await launcher.waitFor({state: 'visible', timeout: 10_000});
  await openPanel(page);
  await page.locator(assistantDone).nth(1).waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
  assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
  await screenshots(page, 'dark');
  await context.close();
});
