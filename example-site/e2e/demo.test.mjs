/**
 * The one-process demo as an operator meets it: book and backend on one port, and clear,
 * coded errors (never a traceback) when the site is missing or not built.
 */
import assert from 'node:assert/strict';
import {spawnSync} from 'node:child_process';
import {mkdtemp, readFile, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {after, before, describe, test} from 'node:test';

import {REPO_ROOT, SITE_DIR, pythonExecutable, startDemo} from './support.mjs';

const golden = JSON.parse(await readFile(path.join(SITE_DIR, 'golden-facts.json'), 'utf8')).lessons;

/** The `data:` events of a ChatKit SSE response body. */
function sseEvents(body) {
  return body
    .split('\n')
    .filter((line) => line.startsWith('data: '))
    .map((line) => JSON.parse(line.slice('data: '.length)));
}

/** Every `url` value anywhere in the events (citations are annotations with a url source). */
function citedUrls(events) {
  const urls = [];
  JSON.stringify(events, (key, value) => {
    if (key === 'url' && typeof value === 'string' && !urls.includes(value)) urls.push(value);
    return value;
  });
  return urls;
}

/** Run the demo CLI to completion (it exits at once on these errors). */
function runDemo(args) {
  return spawnSync(pythonExecutable(), ['-m', 'tutorgpt_asgi.demo', ...args], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: 30_000,
  });
}

describe('demo errors', () => {
  let emptyDir;
  before(async () => {
    emptyDir = await mkdtemp(path.join(tmpdir(), 'tutorgpt-demo-site-'));
  });
  after(async () => {
    await rm(emptyDir, {recursive: true, force: true});
  });

  test('a folder without a Docusaurus site is refused with SITE_NOT_FOUND', () => {
    const result = runDemo(['--site-dir', emptyDir, '--no-build']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /error \[SITE_NOT_FOUND\]/);
    assert.doesNotMatch(result.stderr, /Traceback/);
  });

  test('an unbuilt site with --no-build is refused with SITE_NOT_BUILT', async () => {
    await writeFile(path.join(emptyDir, 'docusaurus.config.js'), 'export default {};\n');
    const result = runDemo(['--site-dir', emptyDir, '--no-build']);
    assert.equal(result.status, 2, result.stderr);
    assert.match(result.stderr, /error \[SITE_NOT_BUILT\]/);
    assert.doesNotMatch(result.stderr, /Traceback/);
  });
});

describe('the served demo', () => {
  let demo;
  before(async () => {
    demo = await startDemo();
  });
  after(async () => {
    await demo?.stop();
  });

  test('prints the reader URL and which tutor answers', () => {
    assert.match(demo.output(), /Open http:\/\/127\.0\.0\.1:\d+\/docs\/intro/);
    assert.match(demo.output(), /offline tutor/);
  });

  test('serves the book at / with the tutor script tag', async () => {
    const response = await fetch(`${demo.baseUrl}/docs/retrieval/chunking/`);
    assert.equal(response.status, 200);
    const html = await response.text();
    assert.match(html, /Chunking and embeddings/);
    assert.match(html, /cdn\.platform\.openai\.com\/deployments\/chatkit\/chatkit\.js/);
    const missing = await fetch(`${demo.baseUrl}/docs/no-such-lesson/`);
    assert.equal(missing.status, 404);
    assert.match(await missing.text(), /Page Not Found/i);
  });

  test('serves the backend at /api/chatkit, which records the page context', async () => {
    const health = await fetch(`${demo.baseUrl}/api/chatkit/health`);
    assert.equal(health.status, 200);
    const created = await fetch(`${demo.baseUrl}/api/chatkit/session`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({page_path: '/docs/retrieval/chunking', current_chapter: 'retrieval', current_lesson: 'chunking'}),
    });
    assert.equal(created.status, 201);
    const {client_secret: secret} = await created.json();
    const sessions = await fetch(`${demo.baseUrl}/api/chatkit/sessions`, {headers: {authorization: `Bearer ${secret}`}});
    const body = await sessions.json();
    assert.equal(body.data[0].current_lesson, 'chunking');
  });

  test('answers every golden question with a first citation to its lesson and section', async () => {
    // Asked from the introduction, so the whole book is searched, not the lesson.
    const created = await fetch(`${demo.baseUrl}/api/chatkit/session`, {
      method: 'POST',
      headers: {'content-type': 'application/json'},
      body: JSON.stringify({page_path: '/docs/intro', current_lesson: 'intro'}),
    });
    const {client_secret: secret} = await created.json();
    for (const fact of golden) {
      const response = await fetch(`${demo.baseUrl}/api/chatkit`, {
        method: 'POST',
        headers: {'content-type': 'application/json', authorization: `Bearer ${secret}`},
        body: JSON.stringify({
          type: 'threads.create',
          params: {input: {content: [{type: 'input_text', text: fact.question}], attachments: [], inference_options: {}}},
        }),
        signal: AbortSignal.timeout(15_000),
      });
      assert.equal(response.status, 200);
      assert.match(response.headers.get('content-type'), /^text\/event-stream/);
      const urls = citedUrls(sseEvents(await response.text()));
      assert.ok(urls.length > 0, `no citation for: ${fact.question}`);
      const first = new URL(urls[0], demo.baseUrl);
      assert.equal(first.pathname.replace(/\/$/, ''), fact.permalink, `${fact.question} cited ${urls[0]}`);
      assert.equal(first.hash, `#${fact.anchor}`, `${fact.question} cited ${urls[0]}`);
    }
  });
});
