/**
 * "Sign in with …" in a real browser against a real OpenID provider on loopback
 * (oidc-provider-mock): a reader asks a question anonymously, signs in through the popup
 * (filling in the provider's own form), and keeps the thread; a second, fresh browser context
 * signing in as the same person finds that thread; signing out forgets it on that browser.
 */
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {after, before, test} from 'node:test';

import {CHATKIT_CDN_URL, SITE_DIR, artifactPath, launchBrowser, normalize, startDemo, startOidcProvider} from './support.mjs';

const golden = JSON.parse(await readFile(path.join(SITE_DIR, 'golden-facts.json'), 'utf8')).lessons;
const lesson = golden.find((fact) => fact.lesson_id === 'agent-loop');
const ADA = {sub: 'ada-1815', email: 'ada@example.com', name: 'Ada Lovelace'};
/** Generous for a 2-core machine shared by several engineers. */
const TIMEOUT_MS = 30_000;

const live = {provider: undefined, demo: undefined, browser: undefined};
before(async () => {
  live.provider = await startOidcProvider([ADA]);
  live.demo = await startDemo({
    env: (baseUrl) => ({
      TUTORGPT_OIDC_ISSUER: live.provider.issuer,
      TUTORGPT_OIDC_CLIENT_ID: 'tutorgpt-e2e',
      TUTORGPT_OIDC_CLIENT_SECRET: 'e2e-client-secret',
      TUTORGPT_PUBLIC_URL: `${baseUrl}/api/chatkit`,
      TUTORGPT_ALLOWED_ORIGINS: baseUrl,
    }),
  });
  live.browser = await launchBrowser();
});
after(async () => {
  await live.browser?.close();
  await live.demo?.stop();
  await live.provider?.stop();
});

/** A browser context of its own (a "device"), with the unreachable CDNs cut off. */
async function newDevice() {
  const context = await live.browser.newContext({viewport: {width: 1280, height: 900}, colorScheme: 'light'});
  await context.route(CHATKIT_CDN_URL, (route) => route.abort('internetdisconnected'));
  // The mock provider's pages link a stylesheet from a CDN the test machines cannot reach.
  await context.route(/^https:\/\/cdn\.jsdelivr\.net\//, (route) => route.abort('internetdisconnected'));
  const page = await context.newPage();
  await page.goto(`${live.demo.baseUrl}${lesson.permalink}`);
  await page.locator('[data-tutorgpt="launcher"]').click();
  await page.locator('[data-tutorgpt="composer"]').waitFor({state: 'visible', timeout: TIMEOUT_MS});
  return {context, page};
}

/** Click "Sign in with …", fill in the provider's form in the popup, and wait for the panel. */
async function signIn(page) {
  const button = page.locator('[data-tutorgpt="sign-in"]');
  await button.waitFor({state: 'visible', timeout: TIMEOUT_MS});
  assert.equal(normalize(await button.innerText()), 'Sign in with Example ID');
  const [popup] = await Promise.all([page.context().waitForEvent('page'), button.click()]);
  await popup.locator('input[name="sub"]').fill(ADA.sub);
  await Promise.all([popup.waitForEvent('close', {timeout: TIMEOUT_MS}), popup.getByRole('button', {name: 'Authorize'}).click()]);
  const signedIn = page.locator('[data-tutorgpt="signed-in"]');
  await signedIn.waitFor({state: 'visible', timeout: TIMEOUT_MS});
  return normalize(await signedIn.innerText());
}

const userMessages = (page) => page.locator('[data-tutorgpt="message"][data-role="user"]');

test('a reader signs in, keeps their thread, and finds it again on a second device', {timeout: 240_000}, async () => {
  // 1. Anonymous on the first device: ask a question (a student with a device key).
  const first = await newDevice();
  await first.page.locator('[data-tutorgpt="composer"]').fill(lesson.question);
  await first.page.locator('[data-tutorgpt="send"]').click();
  await first.page
    .locator('[data-tutorgpt="message"][data-role="assistant"][data-done="true"]')
    .first()
    .waitFor({state: 'visible', timeout: TIMEOUT_MS});

  // 2. Sign in: the panel names the verified reader and the thread is still there.
  assert.equal(await signIn(first.page), `Signed in as ${ADA.name} (${ADA.email})`);
  await userMessages(first.page).first().waitFor({state: 'visible', timeout: TIMEOUT_MS});
  assert.ok(normalize(await userMessages(first.page).first().innerText()).endsWith(lesson.question));
  // The thread from its first question (docs/images/panel-signed-in.png is this screenshot).
  await first.page.locator('.tutorgpt-log').evaluate((log) => (log.scrollTop = 0));
  await first.page.locator('[data-tutorgpt="panel"]').screenshot({path: await artifactPath('panel-signed-in.png')});

  // 3. A fresh browser context is a new anonymous reader with an empty panel until sign-in.
  const second = await newDevice();
  assert.equal(await userMessages(second.page).count(), 0);
  assert.equal(await signIn(second.page), `Signed in as ${ADA.name} (${ADA.email})`);
  await userMessages(second.page).first().waitFor({state: 'visible', timeout: TIMEOUT_MS});
  assert.ok(normalize(await userMessages(second.page).first().innerText()).endsWith(lesson.question));

  // 4. Signing out forgets the reader on that device: the key, the session and the thread.
  const storedValues = () => second.page.evaluate(() => Object.values(localStorage));
  const key = (await storedValues()).find((value) => value.includes('sk_student_'));
  assert.ok(key, 'the signed-in browser keeps a student key');
  await second.page.locator('[data-tutorgpt="sign-out"]').click();
  await second.page.locator('[data-tutorgpt="sign-in"]').waitFor({state: 'visible', timeout: TIMEOUT_MS});
  assert.equal(await userMessages(second.page).count(), 0);
  assert.ok(!(await storedValues()).includes(key), 'the student key outlived sign-out');

  await first.context.close();
  await second.context.close();
});
