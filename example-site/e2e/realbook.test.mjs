/**
 * Full context on real book shapes: the realbook fixture (tests/fixtures/realbook-site, built
 * with a real `docusaurus build`) served by `tutorgpt demo --site-dir`. On a page of the
 * unreleased version (`/docs/next/…`) and on a page of the second docs instance (`community`),
 * the context the page sends names the chapter, lesson, part, version and instance, and the
 * backend records that lesson for the session.
 */
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import path from 'node:path';
import {test} from 'node:test';

import {CHATKIT_CDN_URL, REPO_ROOT, decodeContext, demoAndBrowser, latestBearer, recordBackendRequests, sessionsOf} from './support.mjs';

/** A cold build of the fixture takes minutes on a shared 2-core machine; it is cached by content. */
const BUILD_TIMEOUT_MS = 900_000;
const FALLBACK_TIMEOUT_MS = 20_000;
const ANSWER_TIMEOUT_MS = 30_000;

function buildRealbook() {
  const out = execFileSync(process.execPath, [path.join(REPO_ROOT, 'tests', 'fixtures', 'realbook-site', 'build.mjs')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: BUILD_TIMEOUT_MS,
  });
  return path.join(out.trim().split('\n').at(-1), 'site');
}

const live = demoAndBrowser({siteDir: buildRealbook});

/** The context shown in the panel's debug box (what the page sends with every request). */
async function shownContext(page) {
  const box = page.locator('[data-tutorgpt="context"]');
  await box.locator('summary').click();
  return JSON.parse(await box.locator('pre').innerText());
}

async function ask(page, requests, question) {
  await page.locator('[data-tutorgpt="composer"]').fill(question);
  await page.locator('[data-tutorgpt="send"]').click();
  await page
    .locator('[data-tutorgpt="message"][data-role="assistant"][data-done="true"]')
    .last()
    .waitFor({state: 'visible', timeout: ANSWER_TIMEOUT_MS});
  const protocol = requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname.replace(/\/$/, '') === '/api/chatkit');
  return decodeContext(protocol.at(-1).headers['x-tutorgpt-context']);
}

test('a versioned page and a second-instance page send full context', {timeout: BUILD_TIMEOUT_MS + 120_000}, async () => {
  const context = await live.browser.newContext({viewport: {width: 1280, height: 900}});
  await context.route(CHATKIT_CDN_URL, (route) => route.abort('internetdisconnected'));
  const page = await context.newPage();
  const requests = recordBackendRequests(page, live.demo.baseUrl);

  await page.goto(`${live.demo.baseUrl}/docs/next/Part_One/Getting_Started/setup`);
  await page.locator('[data-tutorgpt="launcher"]').click();
  await page.locator('[data-tutorgpt="composer"]').waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
  const expectedNext = {
    docs_instance: 'default',
    version: 'current',
    part_id: 'Part_One',
    part_title: 'Part One: Foundations',
    current_chapter: 'Part_One/Getting_Started',
    chapter_title: 'Getting Started',
    current_lesson: 'setup',
    lesson_title: 'Setting up',
  };
  const shown = await shownContext(page);
  for (const [key, value] of Object.entries(expectedNext)) assert.equal(shown[key], value, `shown ${key}`);
  const sent = await ask(page, requests, 'What does max_retries do?');
  for (const [key, value] of Object.entries(expectedNext)) assert.equal(sent[key], value, `sent ${key}`);

  await page.goto(`${live.demo.baseUrl}/community/guides/contributing`);
  await page.locator('[data-tutorgpt="launcher"]').waitFor({state: 'visible', timeout: 10_000});
  if (!(await page.locator('[data-tutorgpt="panel"]').isVisible())) await page.locator('[data-tutorgpt="launcher"]').click();
  await page.locator('[data-tutorgpt="composer"]').waitFor({state: 'visible', timeout: FALLBACK_TIMEOUT_MS});
  const community = await ask(page, requests, 'How are pull requests reviewed?');
  assert.deepEqual(
    [community.docs_instance, community.version, community.current_chapter, community.current_lesson, community.part_id],
    ['community', 'current', 'guides', 'contributing', null],
  );
  assert.equal(community.chapter_title, 'Guides');

  // The backend recorded where the reader is.
  const body = await sessionsOf(live.demo.baseUrl, latestBearer(requests));
  const session = body.data.find((entry) => entry.session_id === body.current_session_id);
  assert.equal(session.current_lesson, 'contributing');
  await context.close();
});
