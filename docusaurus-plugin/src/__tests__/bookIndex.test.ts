import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { normalizePluginOptions } from '@docusaurus/utils-validation';
import { buildBookIndex } from '../content/bookIndex';
import { validateOptions, type Options } from '../options';
import { FIXTURE_SITE, loadDocs } from './helpers/docs';

const GOLDEN = path.join(__dirname, 'fixtures', 'book-index.golden.json');
const opts = (options: Options = {}) => validateOptions({ validate: normalizePluginOptions as never, options: options as never });

async function build(options: Options = {}) {
  const { context, docsContent } = await loadDocs();
  return buildBookIndex({
    siteDir: FIXTURE_SITE,
    siteConfig: context.siteConfig,
    locale: 'en',
    generator: 'docusaurus-plugin-tutorgpt@test',
    docsContent,
    options: opts(options),
    now: () => new Date('2026-01-02T03:04:05.000Z'),
  });
}

describe('buildBookIndex', () => {
  it('matches the golden export of the fixture book', async () => {
    const { index } = await build();
    const actual = `${JSON.stringify(index, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(GOLDEN)) await writeFile(GOLDEN, actual);
    assert.equal(actual, await readFile(GOLDEN, 'utf8'));
  });

  it('follows the schema the backend reads', async () => {
    const { index } = await build();
    assert.equal(index.schema_version, 1);
    assert.deepEqual(index.site, {
      url: 'https://book.example',
      base_url: '/',
      title: 'Fixture Book',
      locale: 'en',
      docs_plugin_id: 'default',
      version: 'current',
    });
    assert.ok(!index.pages.some((p) => p.doc_id === 'about'), 'tutor_exclude pages are left out');
    const loop = index.pages.find((p) => p.doc_id === 'foundations/agent-loop')!;
    assert.deepEqual(loop.front_matter, { title: 'What an agent is', description: 'The perceive, decide, act loop.', difficulty: 'beginner', tags: ['agents', 'basics'] });
    assert.deepEqual(loop.tags, ['agents', 'basics']);
    assert.deepEqual(
      loop.headings.map((h) => h.anchor),
      ['the-loop', 'examples', 'a-thermostat-agent', 'examples-1', 'my-anchor', 'deep-heading'],
    );
    assert.deepEqual(loop.sections.map((s) => s.anchor), [null, 'the-loop', 'examples', 'a-thermostat-agent', 'examples-1', 'my-anchor']);
    assert.deepEqual(loop.sections[3]!.heading_path, ['What an agent is', 'Examples', 'A thermostat agent']);
    assert.ok(loop.text.includes('Tip: Remember this\nThe loop never stops'));
    assert.ok(!loop.text.includes('a comment that must not be indexed'));
    assert.deepEqual(loop.sections[1]!.code_blocks, [{ lang: 'python', code: 'def run(agent):\n    while True:\n        agent.act(agent.decide(agent.perceive()))' }]);
    assert.match(loop.content_hash, /^sha256:[0-9a-f]{64}$/);
    assert.equal(loop.word_count, loop.text.split(/\s+/).filter(Boolean).length);
    const prompts = index.pages.find((p) => p.doc_id === 'foundations/prompts')!;
    assert.equal(prompts.lesson_id, 'prompts-and-context');
    assert.deepEqual(prompts.headings.map((h) => h.anchor), ['prompts-and-context-1']);
    assert.ok(prompts.text.includes('A short prompt.') && prompts.text.includes('A long prompt with details.'));
  });

  it('publishes a small page map keyed by permalink with the same ids', async () => {
    const { pageMap, chapters, index } = await build();
    assert.deepEqual(pageMap['/docs/foundations/'], { d: 'foundations/index', t: 'Foundations overview', c: 'foundations', l: 'overview' });
    assert.deepEqual(chapters, { 'default|current|foundations': 'Foundations of AI agents', 'default|current|python': 'Python for agents', 'default|current|retrieval': 'retrieval' });
    for (const page of index.pages) {
      assert.equal(pageMap[page.permalink]?.l, page.lesson_id);
      assert.equal(pageMap[page.permalink]?.c, page.chapter_id);
    }
    assert.ok(JSON.stringify(pageMap).length < 2000);
  });

  it('applies include/exclude globs and includeText=false', async () => {
    const { index } = await build({ exclude: ['/docs/retrieval/**', 'intro'], export: { includeText: false } });
    assert.deepEqual(index.pages.map((p) => p.doc_id), ['foundations/index', 'foundations/agent-loop', 'foundations/prompts', 'python/async']);
    assert.ok(index.pages.every((p) => p.text === '' && p.sections.every((s) => s.text === '')));
    assert.ok(index.pages.every((p) => p.word_count > 0), 'word counts stay even when text is left out');
  });

  it('warns and exports an empty book when the docs plugin is missing', async () => {
    const result = await buildBookIndex({
      siteDir: FIXTURE_SITE,
      siteConfig: { url: 'https://x.example', baseUrl: '/', title: 'X' },
      locale: 'en',
      generator: 'g',
      docsContent: undefined,
      options: opts(),
    });
    assert.deepEqual(result.index.pages, []);
    assert.deepEqual(result.pageMap, {});
    assert.match(result.warnings[0]!, /no docs found for docs plugin id \["all"\]/);
  });
});
