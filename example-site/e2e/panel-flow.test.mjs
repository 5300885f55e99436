/**
 * The reader's path through failures, slow answers and the keyboard (issue 14, points 3, 4, 5
 * and 8) on a phone and a desktop. The backend is real; an outage is the browser refusing the
 * connection (Playwright's route), and a slow network is a held request.
 */
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';

import {
  SITE_DIR,
  GENEROUS_LIMITS,
  VIEWPORTS,
  decodeContext,
  demoAndBrowser,
  dragSelect,
  normalize,
  openPanel,
  readerPage,
  recordBackendRequests,
  screenshotPath,
} from './support.mjs';

const golden = JSON.parse(await readFile(path.join(SITE_DIR, 'golden-facts.json'), 'utf8')).lessons;
const agentLoop = golden.find((fact) => fact.lesson_id === 'agent-loop');
const chunking = golden.find((fact) => fact.lesson_id === 'chunking');
const ANSWER_TIMEOUT_MS = 30_000;
const assistantDone = '[data-tutorgpt="message"][data-role="assistant"][data-done="true"]';
const PROTOCOL = '**/api/chatkit';

const live = demoAndBrowser({env: GENEROUS_LIMITS});
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const isSend = (request) => request.method() === 'POST' && /"threads\.(create|add_user_message)"/.test(request.postData() ?? '');
const focused = (page) => page.evaluate(() => document.activeElement?.dataset.tutorgpt ?? document.activeElement?.tagName);
const userTexts = async (page) => (await page.locator('[data-tutorgpt="message"][data-role="user"]').allInnerTexts()).map(normalize);

async function answered(page, count) {
  await page.locator(assistantDone).nth(count - 1).waitFor({state: 'visible', timeout: ANSWER_TIMEOUT_MS});
  await page.locator('[data-tutorgpt="send"]').waitFor({state: 'attached', timeout: ANSWER_TIMEOUT_MS});
}

/** While installed, every message send fails as if the backend were down. */
async function backendDown(page) {
  const handler = (route) => (isSend(route.request()) ? route.abort('connectionrefused') : route.fallback());
  await page.route(PROTOCOL, handler);
  return () => page.unroute(PROTOCOL, handler);
}

for (const [device, colorScheme] of [[VIEWPORTS[0], 'dark'], [VIEWPORTS[1], 'light']]) {
  const label = `${device.name} ${colorScheme}`;

  test(`${label}: focus stays in the composer after Send, and the shortcut is announced and shown`, {timeout: 120_000}, async () => {
    const {context, page} = await readerPage(live.browser, {...device, colorScheme});
    await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
    const launcher = page.locator('[data-tutorgpt="launcher"]');
    await launcher.waitFor({state: 'visible', timeout: 10_000});
    assert.equal(await launcher.getAttribute('aria-keyshortcuts'), 'Control+.');
    if (device.name === 'desktop') {
      const hint = page.locator('[data-tutorgpt="launcher"] [data-tutorgpt="shortcut-hint"]');
      assert.ok(await hint.isVisible(), 'no visible hint for Ctrl+.');
      assert.equal(normalize(await hint.innerText()), 'Ctrl+.');
      await page.locator('body').press('Control+.');
      await page.locator('[data-tutorgpt="composer"]').waitFor({state: 'visible', timeout: 20_000});
    } else {
      await openPanel(page);
    }

    // Keyboard: type, Tab to Send, Enter.
    await page.locator('[data-tutorgpt="composer"]').fill(agentLoop.question);
    await page.keyboard.press('Tab');
    assert.equal(await focused(page), 'send');
    await page.keyboard.press('Enter');
    await page.waitForTimeout(50);
    assert.equal(await focused(page), 'composer', 'after Enter on Send, focus fell out of the panel');
    await answered(page, 1);
    assert.equal(await focused(page), 'composer');

    // Pointer: click (or tap) Send.
    await page.locator('[data-tutorgpt="composer"]').fill('And what happens when the budget runs out?');
    if (device.hasTouch) await page.locator('[data-tutorgpt="send"]').tap();
    else await page.locator('[data-tutorgpt="send"]').click();
    await page.waitForTimeout(50);
    assert.equal(await focused(page), 'composer', 'after a click on Send, focus fell to <body>');
    await answered(page, 2);

    if (device.name === 'phone') {
      // A citation closes the bottom sheet; focus returns to the launcher.
      await page.locator(`${assistantDone} a[data-tutorgpt="citation"]`).first().click();
      await page.waitForURL((url) => url.hash.length > 1, {timeout: 10_000});
      await page.locator('[data-tutorgpt="panel"]').waitFor({state: 'hidden', timeout: 5_000});
      await page.waitForTimeout(100);
      assert.equal(await focused(page), 'launcher', 'after the citation, focus is not on the launcher');
    }
    await context.close();
  });

  test(`${label}: a failed question stays with Retry, is sent once, and the next echo replaces the right message`, {timeout: 150_000}, async () => {
    const {context, page} = await readerPage(live.browser, {...device, colorScheme});
    await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
    await openPanel(page);
    const restore = await backendDown(page);
    const questionA = agentLoop.question;
    await page.locator('[data-tutorgpt="composer"]').fill(questionA);
    await page.locator('[data-tutorgpt="send"]').click();
    const failed = page.locator('[data-tutorgpt="message"][data-state="failed"]');
    await failed.waitFor({state: 'visible', timeout: 10_000});
    assert.match(normalize(await failed.innerText()), new RegExp(questionA.replace(/[?]/g, '\\?')));
    const retry = failed.locator('[data-tutorgpt="retry"]');
    assert.ok(await retry.isVisible(), 'no Retry control');
    if (device.name === 'desktop' && colorScheme === 'light') {
      await page.locator('[data-tutorgpt="panel"]').screenshot({path: await screenshotPath('panel-failure-retry.png')});
    }

    // The backend is back: a new question B is answered, and A stays where it was, once.
    await restore();
    const questionB = chunking.question;
    await page.locator('[data-tutorgpt="composer"]').fill(questionB);
    await page.locator('[data-tutorgpt="send"]').click();
    await answered(page, 1);
    const users = page.locator('[data-tutorgpt="message"][data-role="user"]');
    assert.equal(await users.count(), 2, `A vanished or B shows twice: ${await userTexts(page)}`);
    assert.equal(await users.nth(0).getAttribute('data-state'), 'failed');
    assert.ok((await userTexts(page))[0].includes(questionA));
    assert.equal(normalize(await users.nth(1).innerText()), `You said: ${questionB}`);

    // Retry A: sent once, shown once.
    const sends = [];
    page.on('request', (request) => isSend(request) && sends.push(JSON.parse(request.postData())));
    await retry.click();
    await answered(page, 2);
    assert.equal(sends.length, 1, 'the retry sent the question more than once');
    assert.equal(sends[0].params.input.content[0].text, questionA);
    const after = await userTexts(page);
    assert.deepEqual(after, [`You said: ${questionB}`, `You said: ${questionA}`], 'each question shows once');
    assert.equal(await page.locator('[data-tutorgpt="message"][data-state="failed"]').count(), 0);

    // The server has both, once each: a reload shows the same thread.
    await page.reload();
    await openPanel(page);
    await page.locator(assistantDone).nth(1).waitFor({state: 'visible', timeout: ANSWER_TIMEOUT_MS});
    assert.deepEqual(await userTexts(page), after);
    await context.close();
  });
}

for (const [device, colorScheme] of [[VIEWPORTS[0], 'light'], [VIEWPORTS[1], 'dark']]) {
  test(`${device.name} ${colorScheme}: a panel opened during an outage clears its banner after a later success`, {timeout: 120_000}, async () => {
    const {context, page} = await readerPage(live.browser, {...device, colorScheme});
    await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
    const refuse = (route) => route.abort('connectionrefused');
    await page.route('**/api/chatkit/session', refuse);
    await openPanel(page);
    const banner = page.locator('[data-tutorgpt="panel"] [data-tutorgpt="error"]');
    await banner.first().waitFor({state: 'visible', timeout: 10_000});
    await page.unroute('**/api/chatkit/session', refuse);
    await page.locator('[data-tutorgpt="composer"]').fill(agentLoop.question);
    await page.locator('[data-tutorgpt="send"]').click();
    await answered(page, 1);
    assert.equal(await banner.count(), 0, 'the outage banner stayed after the answer');
    await context.close();
  });

  test(`${device.name} ${colorScheme}: at 400 ms latency a progress line shows at once, outside the busy log`, {timeout: 120_000}, async () => {
    const {context, page} = await readerPage(live.browser, {...device, colorScheme});
    await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
    await openPanel(page);
    const slow = async (route) => {
      if (isSend(route.request())) await sleep(1200);
      await route.fallback();
    };
    await page.route(PROTOCOL, slow);
    await page.locator('[data-tutorgpt="composer"]').fill(agentLoop.question);
    await page.locator('[data-tutorgpt="send"]').click();
    const progress = page.locator('[data-tutorgpt="progress"]');
    await progress.waitFor({state: 'visible', timeout: 1_000});
    assert.ok(normalize(await progress.innerText()).length > 0, 'the progress line is empty');
    assert.equal(await progress.evaluate((el) => Boolean(el.closest('[aria-busy="true"], [role="log"]'))), false, 'the progress line is inside the busy log');
    await answered(page, 1);
    assert.equal(await progress.count(), 0, 'the progress line stayed after the answer');
    await context.close();
  });
}

test('desktop light: a failed send keeps the highlight, and the retry asks about it again', {timeout: 120_000}, async () => {
  const {context, page} = await readerPage(live.browser, {...VIEWPORTS[1], colorScheme: 'light'});
  const requests = recordBackendRequests(page, live.demo.baseUrl);
  await page.goto(`${live.demo.baseUrl}${chunking.permalink}`);
  await page.locator('[data-tutorgpt="launcher"]').waitFor({state: 'visible', timeout: 10_000});
  await dragSelect(page, chunking.fact);
  await page.locator('[data-tutorgpt="ask-selection"]').click();
  await page.locator('[data-tutorgpt="quote"]').waitFor({state: 'visible', timeout: 20_000});
  const unavailable = (route) =>
    isSend(route.request())
      ? route.fulfill({status: 503, contentType: 'application/json', body: JSON.stringify({error: 'unavailable', details: [{code: 'upstream_down', message: 'The tutor is restarting.'}]})})
      : route.fallback();
  await page.route(PROTOCOL, unavailable);
  await page.locator('[data-tutorgpt="send"]').click();
  await page.locator('[data-tutorgpt="retry"]').waitFor({state: 'visible', timeout: 10_000});
  await page.unroute(PROTOCOL, unavailable);
  const before = requests.length;
  await page.locator('[data-tutorgpt="retry"]').click();
  await answered(page, 1);
  const retried = requests.slice(before).find((request) => /"threads\.create"/.test(request.body ?? ''));
  assert.ok(retried, 'the retry sent nothing');
  assert.ok(normalize(decodeContext(retried.headers['x-tutorgpt-context']).highlighted_text ?? '').includes('15 percent'), 'the highlight was dropped');
  assert.ok(normalize(JSON.parse(retried.body).params.input.quoted_text ?? '').includes('15 percent'), 'the quote was dropped');
  await context.close();
});

for (const [device, colorScheme] of [[VIEWPORTS[0], 'dark'], [VIEWPORTS[1], 'light']]) {
  test(`${device.name} ${colorScheme}: the composer waits while the stored thread loads`, {timeout: 120_000}, async () => {
    const {context, page} = await readerPage(live.browser, {...device, colorScheme});
    await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
    await openPanel(page);
    await page.locator('[data-tutorgpt="composer"]').fill(agentLoop.question);
    await page.locator('[data-tutorgpt="send"]').click();
    await answered(page, 1);
    const slowLoad = async (route) => {
      if (/"threads\.get_by_id"/.test(route.request().postData() ?? '')) await sleep(2000);
      await route.fallback();
    };
    await page.route(PROTOCOL, slowLoad);
    await page.reload();
    await page.locator('[data-tutorgpt="launcher"]').click();
    const composer = page.locator('[data-tutorgpt="composer"]');
    await composer.waitFor({state: 'visible', timeout: 20_000});
    assert.equal(await composer.isDisabled(), true, 'the reader can type while the stored thread loads');
    await page.locator(assistantDone).first().waitFor({state: 'visible', timeout: ANSWER_TIMEOUT_MS});
    assert.equal(await composer.isDisabled(), false);
    await context.close();
  });
}

test('desktop dark: a long non-Latin highlight keeps the context header under the proxy limit', {timeout: 120_000}, async () => {
  const {context, page} = await readerPage(live.browser, {...VIEWPORTS[1], colorScheme: 'dark'});
  const requests = recordBackendRequests(page, live.demo.baseUrl);
  await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
  await page.locator('[data-tutorgpt="launcher"]').waitFor({state: 'visible', timeout: 10_000});
  // A long passage in a script that takes 3-4 bytes a character, selected as a reader would.
  await page.evaluate(() => {
    const paragraph = document.createElement('p');
    paragraph.id = 'e2e-long';
    paragraph.textContent = '代理は本を読み、質問に答えます。😀'.repeat(80);
    document.querySelector('article .markdown').prepend(paragraph);
    paragraph.scrollIntoView({block: 'center', behavior: 'instant'});
  });
  const box = await page.locator('#e2e-long').boundingBox();
  await page.mouse.move(box.x + 2, box.y + 8);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width - 4, box.y + box.height - 8, {steps: 6});
  await page.mouse.up();
  await page.locator('[data-tutorgpt="ask-selection"]').click();
  await page.locator('[data-tutorgpt="quote"]').waitFor({state: 'visible', timeout: 20_000});
  await page.locator('[data-tutorgpt="send"]').click();
  await answered(page, 1);
  const sent = requests.find((request) => /"threads\.create"/.test(request.body ?? ''));
  // Half the common 8 KB per-line limit (nginx, Apache), leaving the rest to cookies and the
  // browser's own headers where a proxy counts them together.
  const contextHeader = sent.headers['x-tutorgpt-context'];
  assert.ok(contextHeader.length <= 4096, `the context header is ${contextHeader.length} bytes`);
  const headerBytes = Object.entries(sent.headers).reduce((sum, [name, value]) => sum + name.length + value.length + 4, 0);
  assert.ok(headerBytes < 8192, `the request's headers are ${headerBytes} bytes`);
  const quoted = JSON.parse(sent.body).params.input.quoted_text;
  const header = decodeContext(sent.headers['x-tutorgpt-context']).highlighted_text ?? '';
  assert.ok(quoted.length >= header.length && quoted.length > 500, 'the full highlight still travels in the body');
  await context.close();
});
