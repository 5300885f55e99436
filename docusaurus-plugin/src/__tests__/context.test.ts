import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { buildPageContext, CONTEXT_HEADER_MAX_CHARS, decodeContextHeader, encodeContextHeader, fitContextHeader, lookupPage } from '../client/context';

const pageMap = {
  '/docs/foundations/': { d: 'foundations/index', t: 'Foundations overview', c: 'foundations', l: 'overview', v: '1.0' },
  '/docs/foundations/agent-loop': { d: 'foundations/agent-loop', t: 'What an agent is', c: 'foundations', l: 'agent-loop', p: 'basics', v: '1.0' },
  '/docs/next/foundations/agent-loop': { d: 'foundations/agent-loop', t: 'The agent loop', c: 'foundations', l: 'agent-loop', p: 'basics' },
  '/ur/docs/پائتھون': { d: 'python', t: 'پائتھون', c: null, l: 'python', v: '1.0' },
  '/community/intro': { d: 'intro', t: 'Community', c: null, l: 'intro', i: 'community' },
};
const chapters = { 'default|1.0|foundations': 'Foundations of AI agents', 'default|current|foundations': 'Foundations, next' };
const parts = { 'default|1.0|basics': 'Part I: Basics', 'default|current|basics': 'Part I' };

const context = (pathname: string, highlight = null as Parameters<typeof buildPageContext>[0]['highlight']) =>
  buildPageContext({ pageMap, chapters, parts, pathname, href: `https://book.example${pathname}`, documentTitle: 'Doc title | Site', locale: 'en', highlight });

describe('page context', () => {
  it('looks the page up by pathname, tolerating trailing slashes and encoding', () => {
    assert.equal(lookupPage(pageMap, '/docs/foundations')?.d, 'foundations/index');
    assert.equal(lookupPage(pageMap, '/docs/foundations/agent-loop/')?.d, 'foundations/agent-loop');
    assert.equal(lookupPage(pageMap, '/ur/docs/%D9%BE%D8%A7%D8%A6%D8%AA%DA%BE%D9%88%D9%86')?.d, 'python');
    assert.equal(lookupPage(pageMap, '/docs/unknown'), null);
  });

  it('fills every PageContext field from the build-time map', () => {
    assert.deepEqual(context('/docs/foundations/agent-loop', { text: 'perceive, decide, act', context: 'The three stages…', anchor: 'the-loop', truncated: false }), {
      page_path: '/docs/foundations/agent-loop',
      page_title: 'What an agent is',
      page_url: 'https://book.example/docs/foundations/agent-loop',
      doc_id: 'foundations/agent-loop',
      current_chapter: 'foundations',
      chapter_title: 'Foundations of AI agents',
      current_lesson: 'agent-loop',
      lesson_title: 'What an agent is',
      highlighted_text: 'perceive, decide, act',
      highlight_context: 'The three stages…',
      highlight_anchor: 'the-loop',
      locale: 'en',
      docs_instance: 'default',
      version: '1.0',
      part_id: 'basics',
      part_title: 'Part I: Basics',
    });
  });

  it('names the version, instance, part and chapter of a versioned page', () => {
    const ctx = context('/docs/next/foundations/agent-loop/');
    assert.equal(ctx.version, 'current');
    assert.equal(ctx.docs_instance, 'default');
    assert.equal(ctx.chapter_title, 'Foundations, next');
    assert.equal(ctx.part_title, 'Part I');
    const community = context('/community/intro');
    assert.deepEqual([community.docs_instance, community.version, community.doc_id], ['community', 'current', 'intro']);
    assert.deepEqual([context('/blog/post').docs_instance, context('/blog/post').version], [null, null]);
  });

  it('never guesses ids for pages outside the map', () => {
    const ctx = context('/blog/post');
    assert.equal(ctx.page_title, 'Doc title | Site');
    assert.equal(ctx.current_chapter, null);
    assert.equal(ctx.current_lesson, null);
    assert.equal(ctx.doc_id, null);
  });

  it('caps fields at the backend limits', () => {
    const ctx = context('/docs/foundations/', { text: 'x'.repeat(1500), context: 'y'.repeat(3000), anchor: null, truncated: true });
    assert.equal(ctx.highlighted_text!.length, 1000);
    assert.equal(ctx.highlight_context!.length, 2000);
  });

  it('caps by code points and never splits a surrogate pair (999 x + an emoji is 1000 characters)', () => {
    const text = `${'x'.repeat(999)}🚀`;
    assert.equal(context('/docs/foundations/', { text, context: null, anchor: null, truncated: false }).highlighted_text, text);
    const over = `${'x'.repeat(999)}🚀🚀`;
    const capped = context('/docs/foundations/', { text: over, context: null, anchor: null, truncated: true }).highlighted_text!;
    assert.equal(capped, text);
    assert.ok(!/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(capped), 'no lone high surrogate');
  });
});

describe('X-TutorGPT-Context encoding', () => {
  it('is unpadded base64url of UTF-8 JSON and round-trips', () => {
    for (const length of [0, 1, 2, 3, 4, 5]) {
      const value = { page_path: `/${'a'.repeat(length)}`, page_title: 'Ünïcödé — پائتھون 🚀 ?>~' };
      const encoded = encodeContextHeader(value);
      assert.match(encoded, /^[A-Za-z0-9_-]*$/, 'header-safe alphabet, no padding');
      assert.deepEqual(decodeContextHeader(encoded), value);
      assert.deepEqual(JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8')), value);
    }
  });

  const python = path.resolve(__dirname, '..', '..', '..', '.venv', 'bin', 'python');
  it('is accepted by the backend parser (tutorgpt_asgi.sessions.context)', { skip: !existsSync(python) && 'no Python venv' }, () => {
    const ctx = context('/docs/foundations/agent-loop', { text: 'perceive → decide → act', context: null, anchor: 'the-loop', truncated: false });
    const script =
      'import sys, msgspec\n' +
      'from tutorgpt_asgi.sessions.context import parse_context_header\n' +
      'print(msgspec.json.encode(parse_context_header(sys.argv[1])).decode())';
    const out = execFileSync(python, ['-c', script, encodeContextHeader(ctx)], { encoding: 'utf8', timeout: 20_000 });
    const parsed = JSON.parse(out);
    for (const [key, value] of Object.entries(ctx)) if (value !== null) assert.equal(parsed[key], value, key);
  });

  it('a 999 x + emoji highlight, cut by the client, is accepted by the backend as 1000 characters', { skip: !existsSync(python) && 'no Python venv' }, () => {
    const text = `${'x'.repeat(999)}🚀🚀`;
    const ctx = context('/docs/foundations/', { text, context: null, anchor: null, truncated: false });
    const script =
      'import sys\n' +
      'from tutorgpt_asgi.sessions.context import parse_context_header\n' +
      'print(len(parse_context_header(sys.argv[1]).highlighted_text))';
    const out = execFileSync(python, ['-c', script, encodeContextHeader(ctx)], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(out.trim(), '1000');
  });
});

describe('fitContextHeader', () => {
  it("keeps the header under the proxy budget by trimming the highlight, never the page", () => {
    const wide = '漢字のテキスト😀'.repeat(300); // 3 and 4 bytes a character
    const big = context('/docs/foundations/agent-loop', { text: wide.slice(0, 1000), context: wide.slice(0, 2000), anchor: 'a', truncated: false });
    assert.ok(encodeContextHeader(big).length > 8192, 'the untrimmed header passes the proxies\' limit');
    const header = fitContextHeader(big);
    assert.ok(header.length <= CONTEXT_HEADER_MAX_CHARS, `${header.length} chars`);
    const decoded = decodeContextHeader(header) as Record<string, unknown>;
    assert.equal(decoded.page_path, big.page_path);
    assert.equal(decoded.current_lesson, big.current_lesson);
    assert.ok(typeof decoded.highlighted_text === 'string' && big.highlighted_text!.startsWith(decoded.highlighted_text as string));
    assert.ok(!/\uFFFD/.test(JSON.stringify(decoded)), 'no character was split');
    const small = context('/docs/foundations', { text: 'short', context: 'around', anchor: null, truncated: false });
    assert.deepEqual(decodeContextHeader(fitContextHeader(small)), small, 'a small context is sent whole');
  });
});
