/**
 * The panel's fit on the reader's screen (issue 14, points 1, 2, 6 and 7): phone and desktop,
 * light and dark, a tablet following a citation, an on-screen keyboard, and 400% / CSS zoom.
 * Real site, real backend (offline tutor), real Chromium.
 */
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';

import {GENEROUS_LIMITS, READERS, SITE_DIR, demoAndBrowser, openPanel, readerPage} from './support.mjs';

const golden = JSON.parse(await readFile(path.join(SITE_DIR, 'golden-facts.json'), 'utf8')).lessons;
const agentLoop = golden.find((fact) => fact.lesson_id === 'agent-loop');
const ANSWER_TIMEOUT_MS = 30_000;
const assistantDone = '[data-tutorgpt="message"][data-role="assistant"][data-done="true"]';

const live = demoAndBrowser({env: GENEROUS_LIMITS});

/** Whether the element the reader would hit at the centre of `selector` is inside it. */
function hitsItself(selector) {
  const element = document.querySelector(selector);
  if (!element) return `${selector} is missing`;
  const box = element.getBoundingClientRect();
  const x = box.left + box.width / 2;
  const y = box.top + box.height / 2;
  if (x < 0 || y < 0 || x > window.innerWidth || y > window.innerHeight) return `${selector} is off-screen at ${x},${y}`;
  const hit = document.elementFromPoint(x, y);
  return hit && (element === hit || element.contains(hit)) ? true : `${selector} is covered by ${hit?.outerHTML.slice(0, 80)}`;
}

async function ask(page, question) {
  await page.locator('[data-tutorgpt="composer"]').fill(question);
  await page.locator('[data-tutorgpt="send"]').click();
  await page.locator(assistantDone).last().waitFor({state: 'visible', timeout: ANSWER_TIMEOUT_MS});
}

for (const reader of READERS) {
  test(`${reader.label}: the launcher, the panel and the site's own controls fit together`, {timeout: 120_000}, async () => {
    const {context, page} = await readerPage(live.browser, reader);
    // Every problem is collected, so one run reports all of them.
    const problems = [];
    const check = (ok, problem) => ok || problems.push(problem);
    await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
    await page.locator('[data-tutorgpt="launcher"]').waitFor({state: 'visible', timeout: 10_000});

    // Docusaurus's back-to-top button shows after scrolling down and a little up; it must be pressable.
    await page.evaluate(() => window.scrollTo({top: document.body.scrollHeight, behavior: 'instant'}));
    await page.waitForTimeout(150);
    await page.evaluate(() => window.scrollBy({top: -120, behavior: 'instant'}));
    await page.locator('.theme-back-to-top-button[class*="Show"]').waitFor({state: 'visible', timeout: 5_000});
    check((await page.evaluate(hitsItself, '.theme-back-to-top-button')) === true, 'the launcher covers back-to-top');

    await openPanel(page);
    const fontSize = await page.locator('[data-tutorgpt="composer"]').evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    check(fontSize >= 16, `the composer's text is ${fontSize}px: iOS zooms the page below 16px`);
    await page.locator('[data-tutorgpt="panel"] .tutorgpt-header button', {hasText: 'About you'}).click();
    for (const field of await page.locator('[data-tutorgpt="student-form"] input, [data-tutorgpt="student-form"] select').all()) {
      const size = await field.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
      check(size >= 16, `an "About you" field's text is ${size}px`);
    }
    await page.locator('[data-tutorgpt="student-form"] button', {hasText: 'Cancel'}).click();
    const close = await page.locator('[data-tutorgpt="panel"] button[aria-label="Close the tutor"]').boundingBox();
    check(close.width >= 44 && close.height >= 44, `the close button is ${close.width}×${close.height}`);
    // Wheeling over the message list at its end must not scroll the page behind the panel.
    const log = await page.locator('[role="log"]').boundingBox();
    const pageAt = await page.evaluate(() => window.scrollY);
    await page.mouse.move(log.x + log.width / 2, log.y + log.height / 2);
    await page.mouse.wheel(0, 400);
    await page.waitForTimeout(400);
    check((await page.evaluate(() => window.scrollY)) === pageAt, 'wheeling at the end of the list scrolls the page behind');

    if (reader.name === 'phone') {
      // An on-screen keyboard shrinks only the visual viewport: the composer must stay above it.
      const keyboardTop = 844 - 336;
      await page.evaluate((height) => {
        Object.defineProperty(window.visualViewport, 'height', {configurable: true, get: () => height});
        window.visualViewport.dispatchEvent(new Event('resize'));
      }, keyboardTop);
      await page.waitForTimeout(100);
      const composer = await page.locator('[data-tutorgpt="composer"]').boundingBox();
      const send = await page.locator('[data-tutorgpt="send"]').boundingBox();
      check(composer.y + composer.height <= keyboardTop + 1, `the composer (bottom ${composer.y + composer.height}) is behind the keyboard (${keyboardTop})`);
      check(send.y + send.height <= keyboardTop + 1, 'Send is behind the keyboard');
      const title = await page.locator('#tutorgpt-title').boundingBox();
      check(title.y >= 0, 'the title went off the top');

      // The hamburger menu opens over the panel, never behind it.
      await page.locator('.navbar__toggle').click();
      await page.locator('.navbar-sidebar').waitFor({state: 'visible', timeout: 5_000});
      await page.waitForTimeout(400); // Infima slides the sidebar in
      const hit = await page.evaluate(() => {
        const sidebar = document.querySelector('.navbar-sidebar').getBoundingClientRect();
        const element = document.elementFromPoint(sidebar.left + sidebar.width / 2, window.innerHeight * 0.6);
        return Boolean(element?.closest('.navbar-sidebar'));
      });
      check(hit, 'the open panel covers the mobile menu');
      const launcherCovered = await page.evaluate(() => {
        const box = document.querySelector('[data-tutorgpt="launcher"]').getBoundingClientRect();
        return Boolean(document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2)?.closest('.navbar-sidebar, .navbar-sidebar__backdrop'));
      });
      check(launcherCovered, 'the launcher floats over the open mobile menu');
    }
    assert.deepEqual(problems, []);
    await context.close();
  });
}

test('tablet: following a citation does not leave the panel over the cited text', {timeout: 120_000}, async () => {
  const {context, page} = await readerPage(live.browser, {viewport: {width: 768, height: 1024}, hasTouch: true, colorScheme: 'light'});
  await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
  await openPanel(page);
  await ask(page, agentLoop.question);
  await page.locator(`${assistantDone} a[data-tutorgpt="citation"]`).first().click();
  await page.waitForURL((url) => url.hash.length > 1, {timeout: 10_000});
  await page.waitForTimeout(300);
  const overlap = await page.evaluate(() => {
    const panel = document.querySelector('[data-tutorgpt="panel"]');
    if (panel.hidden) return 0;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const text = target.nextElementSibling ?? target;
    const a = panel.getBoundingClientRect();
    const b = text.getBoundingClientRect();
    const width = Math.max(0, Math.min(a.right, b.right) - Math.max(a.left, b.left));
    const height = Math.max(0, Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top));
    return (width * height) / (b.width * b.height);
  });
  assert.equal(overlap, 0, `the panel covers ${Math.round(overlap * 100)}% of the cited text`);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.tutorgpt), 'launcher', 'focus fell to <body>');
  await context.close();
});

const PARTS = ['#tutorgpt-title', '[data-tutorgpt="panel"] button[aria-label="Close the tutor"]', '[data-tutorgpt="message"]', '[data-tutorgpt="composer"]', '[data-tutorgpt="send"]'];

/** Scroll each part into view (the panel scrolls as a whole when there is no room) and hit it. */
async function assertReachable(page, where) {
  for (const selector of PARTS) {
    await page.locator(selector).first().evaluate((el) => el.scrollIntoView({block: 'nearest', behavior: 'instant'}));
    assert.equal(await page.evaluate(hitsItself, selector), true, `${where}: ${selector} cannot be reached`);
  }
}

for (const colorScheme of ['light', 'dark']) {
  test(`400% zoom (320×256 CSS px), ${colorScheme}: title, close, messages, composer and Send stay reachable`, {timeout: 120_000}, async () => {
    const {context, page} = await readerPage(live.browser, {viewport: {width: 320, height: 256}, colorScheme});
    await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
    await openPanel(page);
    await ask(page, agentLoop.question);
    const log = await page.locator('[role="log"]').evaluate((el) => el.clientHeight);
    assert.ok(log >= 48, `the message area is ${log}px high`);
    await assertReachable(page, '320×256');
    await context.close();
  });

  test(`CSS zoom: 2 on a desktop, ${colorScheme}: the panel's title and close button are on screen`, {timeout: 120_000}, async () => {
    const {context, page} = await readerPage(live.browser, {viewport: {width: 1280, height: 800}, colorScheme});
    await page.goto(`${live.demo.baseUrl}${agentLoop.permalink}`);
    await page.evaluate(() => (document.documentElement.style.zoom = '2'));
    await openPanel(page);
    await ask(page, agentLoop.question);
    await assertReachable(page, 'zoom: 2');
    await context.close();
  });
}
