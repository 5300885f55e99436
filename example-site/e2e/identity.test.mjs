/**
 * The default identity of a book without login, in a real browser against the demo server: the
 * first session gives the browser a student key, a later session (after the secret is gone) sends
 * it back and finds the same conversation, and "Forget me" erases the student on the server and
 * the key in the browser.
 */
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';

import {CHATKIT_CDN_URL, SITE_DIR, demoAndBrowser, latestBearer, recordBackendRequests} from './support.mjs';

const golden = JSON.parse(await readFile(path.join(SITE_DIR, 'golden-facts.json'), 'utf8')).lessons;
const chunking = golden.find((fact) => fact.lesson_id === 'chunking');
const ANSWER_TIMEOUT_MS = 30_000;
const FALLBACK_TIMEOUT_MS = 20_000;
const assistantDone = '[data-tutorgpt="message"][data-role="assistant"][data-done="true"]';

const live = demoAndBrowser();

async function openPanel(page) {
  await page.locator('[data-tutorgpt="launcher"]').waitFor({state: 'visible', timeout: 10_000});
  if (!(await page.locator('[data-tutorgpt="panel"]').isVisible())) await page.locator('[data-tutorgpt="launcher"]').click();
  await page.locator('[data-tutorgpt="composer"]').waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
}

/** The student keys this page's localStorage holds, by entry name. */
function studentKeys(page) {
  return page.evaluate(() =>
    Object.fromEntries(
      Object.keys(window.localStorage)
        .filter((name) => name.startsWith('tutorgpt.studentKey:'))
        .map((name) => [name, JSON.parse(window.localStorage.getItem(name))]),
    ),
  );
}

const sessionBodies = (requests) =>
  requests
    .filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/chatkit/session')
    .map((r) => JSON.parse(r.body ?? '{}'));

test('a reader keeps their history with the student key, and "Forget me" erases it', {timeout: 120_000}, async () => {
  const context = await live.browser.newContext({viewport: {width: 1280, height: 900}});
  await context.route(CHATKIT_CDN_URL, (route) => route.abort('internetdisconnected'));
  const page = await context.newPage();
  const requests = recordBackendRequests(page, live.demo.baseUrl);

  await page.goto(`${live.demo.baseUrl}${chunking.permalink}`);
  await openPanel(page);
  await page.locator('[data-tutorgpt="composer"]').fill(chunking.question);
  await page.locator('[data-tutorgpt="send"]').click();
  await page.locator(assistantDone).first().waitFor({state: 'visible', timeout: ANSWER_TIMEOUT_MS});
  const keys = Object.values(await studentKeys(page));
  assert.equal(keys.length, 1, 'the browser did not keep a student key');
  assert.match(keys[0], /^sk_student_[A-Za-z0-9_-]{43}$/);
  assert.ok(!('student_key' in sessionBodies(requests)[0]), 'the first session already sent a key');

  // The secret is gone (as after its expiry): the next session proves the student with the key.
  await page.evaluate(() => window.localStorage.removeItem('tutorgpt.session'));
  await page.reload();
  await openPanel(page);
  await page.locator(assistantDone).first().waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
  assert.equal(sessionBodies(requests).at(-1).student_key, keys[0]);
  const secret = latestBearer(requests);

  // "Forget me" in the About you form erases the student, then the browser forgets the key.
  await page.locator('.tutorgpt-header button', {hasText: 'About you'}).click();
  page.once('dialog', (dialog) => dialog.accept());
  await page.locator('[data-tutorgpt="forget-me"]').click();
  // The open panel goes on as a new student: the old key is gone (a new one may follow).
  await page.waitForFunction(
    (old) => !Object.keys(window.localStorage).some((name) => window.localStorage.getItem(name) === JSON.stringify(old)),
    keys[0],
    {timeout: 10_000},
  );
  const erased = requests.find((r) => r.method === 'DELETE' && new URL(r.url).pathname === '/api/chatkit/student');
  assert.equal(erased?.headers.authorization, `Bearer ${secret}`);
  const old = await fetch(`${live.demo.baseUrl}/api/chatkit/sessions`, {headers: {authorization: `Bearer ${secret}`}});
  assert.equal(old.status, 401, 'the erased student\'s secret still works');
  const reuse = await fetch(`${live.demo.baseUrl}/api/chatkit/session`, {
    method: 'POST',
    headers: {'content-type': 'application/json'},
    body: JSON.stringify({student_key: keys[0]}),
  });
  assert.equal((await reuse.json()).details[0].code, 'INVALID_STUDENT_KEY');
  await openPanel(page);
  assert.equal(await page.locator('[data-tutorgpt="message"]').count(), 0, 'the erased conversation is still shown');
  await context.close();
});
