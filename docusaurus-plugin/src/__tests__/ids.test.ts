import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizePluginOptions } from '@docusaurus/utils-validation';
import type { LoadedContent } from '@docusaurus/plugin-content-docs';
import { computeIds, DuplicateIdError, InvalidIdError, slugify } from '../content/ids';
import { validateOptions, type Options } from '../options';
import { category, doc, fakeVersion, loadDocs } from './helpers/docs';

const opts = (options: Options = {}) => validateOptions({ validate: normalizePluginOptions as never, options: options as never });
const summary = (pages: ReturnType<typeof computeIds>['pages']) =>
  pages.map((p) => [p.docId, p.chapterId, p.lessonId, p.role]);

describe('computeIds on the real docs plugin output', () => {
  it('derives chapters from top-level sidebar categories with every fallback rule', async () => {
    const { docsContent } = await loadDocs();
    const version = (docsContent.default as LoadedContent).loadedVersions[0]!;
    const result = computeIds(version, version.docs, opts());
    assert.deepEqual(summary(result.pages), [
      ['intro', null, 'intro', 'page'],
      // link doc directory (number prefix already stripped by Docusaurus)
      ['foundations/index', 'foundations', 'overview', 'chapter-intro'],
      ['foundations/agent-loop', 'foundations', 'agent-loop', 'lesson'],
      // tutor_lesson front matter wins
      ['foundations/prompts', 'foundations', 'prompts-and-context', 'lesson'],
      // customProps.chapterId wins
      ['python/async', 'python', 'async', 'lesson'],
      // no link doc: the common first path segment of the category's docs
      ['retrieval/chunking', 'retrieval', 'chunking', 'lesson'],
      ['retrieval/search', 'retrieval', 'search', 'lesson'],
      ['about', null, 'about', 'page'],
    ]);
    assert.deepEqual(
      result.chapters.map((c) => [c.id, c.title, c.position, c.permalink, c.lessonIds]),
      [
        ['foundations', 'Foundations of AI agents', 1, '/docs/foundations/', ['overview', 'agent-loop', 'prompts-and-context']],
        ['python', 'Python for agents', 2, null, ['async']],
        ['retrieval', 'retrieval', 3, null, ['chunking', 'search']],
      ],
    );
    assert.equal(result.pages.find((p) => p.docId === 'foundations/agent-loop')?.sourcePath, 'docs/01-foundations/01-agent-loop.md');
  });

  it('uses the folder of the doc as the chapter in directory mode', async () => {
    const { docsContent } = await loadDocs();
    const version = (docsContent.default as LoadedContent).loadedVersions[0]!;
    const result = computeIds(version, version.docs, opts({ ids: { chapter: 'directory' } }));
    const python = result.pages.find((p) => p.docId === 'python/async')!;
    assert.equal(python.chapterId, 'python');
    assert.equal(python.chapterTitle, 'Python for agents');
    assert.equal(result.pages.find((p) => p.docId === 'intro')!.chapterId, null);
    assert.deepEqual(result.chapters.map((c) => c.id), ['foundations', 'python', 'retrieval']);
  });
});

describe('computeIds rules', () => {
  it('falls back to a slug of the label when nothing else identifies the chapter', () => {
    const version = fakeVersion(['a', 'b'], [category('Getting Started!', [doc('a'), doc('b')])]);
    const result = computeIds(version, version.docs, opts());
    assert.deepEqual(summary(result.pages), [
      ['a', 'getting-started', 'a', 'lesson'],
      ['b', 'getting-started', 'b', 'lesson'],
    ]);
  });

  it('makes the category that directly holds a doc its chapter and the top-level category its part', () => {
    const version = fakeVersion(
      ['p/top', 'p/x/README', 'p/x/exercises', 'p/y/exercises', 'p/y/z/deep'],
      [
        category('Part', [
          doc('p/top'),
          category('X', [doc('p/x/exercises')], { link: { type: 'doc', id: 'p/x/README' } }),
          category('Y', [doc('p/y/exercises'), category('Z', [doc('p/y/z/deep')])]),
        ]),
      ],
    );
    const result = computeIds(version, version.docs, opts());
    assert.deepEqual(
      result.pages.map((p) => [p.docId, p.partId, p.chapterId, p.lessonId, p.role]),
      [
        ['p/top', null, 'p', 'top', 'lesson'],
        ['p/x/README', 'p', 'p/x', 'overview', 'chapter-intro'],
        // two exercises.md in sibling categories: different chapters, no duplicate
        ['p/x/exercises', 'p', 'p/x', 'exercises', 'lesson'],
        ['p/y/exercises', 'p', 'p/y', 'exercises', 'lesson'],
        ['p/y/z/deep', 'p', 'p/y/z', 'deep', 'lesson'],
      ],
    );
    assert.equal(result.pages[1]!.partTitle, 'Part');
    assert.deepEqual(
      result.chapters.map((c) => [c.id, c.title, c.partId, c.lessonIds]),
      [
        ['p', 'Part', null, ['top']],
        ['p/x', 'X', 'p', ['overview', 'exercises']],
        ['p/y', 'Y', 'p', ['exercises']],
        ['p/y/z', 'Z', 'p', ['deep']],
      ],
    );
  });

  it('treats README as the chapter intro and orders pages by the sidebar, not by id', () => {
    const version = fakeVersion(
      ['ch/zeta', 'ch/alpha', 'ch/README', 'loose'],
      [category('C', [doc('ch/zeta'), doc('ch/alpha')], { link: { type: 'doc', id: 'ch/README' } })],
    );
    const result = computeIds(version, version.docs, opts());
    assert.deepEqual(summary(result.pages), [
      ['ch/README', 'ch', 'overview', 'chapter-intro'],
      ['ch/zeta', 'ch', 'zeta', 'lesson'],
      ['ch/alpha', 'ch', 'alpha', 'lesson'],
      ['loose', null, 'loose', 'page'],
    ]);
    assert.deepEqual(result.pages.map((p) => p.position), [1, 2, 3, 4]);
  });

  it('lets tutor_chapter move a doc into another chapter', () => {
    const version = fakeVersion(
      ['one/a', { id: 'two/b', frontMatter: { tutor_chapter: 'one' } }],
      [category('One', [doc('one/a')]), category('Two', [doc('two/b')])],
    );
    const result = computeIds(version, version.docs, opts());
    assert.deepEqual(summary(result.pages), [
      ['one/a', 'one', 'a', 'lesson'],
      ['two/b', 'one', 'b', 'lesson'],
    ]);
    assert.equal(result.pages[1]!.chapterTitle, 'One');
    assert.deepEqual(result.chapters.map((c) => [c.id, c.lessonIds]), [['one', ['a', 'b']]]);
  });

  it('honours custom front matter key names', () => {
    const version = fakeVersion([{ id: 'c/a', frontMatter: { lesson: 'custom' } }], [category('C', [doc('c/a')])]);
    const result = computeIds(version, version.docs, opts({ ids: { frontMatterKeys: { lesson: 'lesson' } } }));
    assert.equal(result.pages[0]!.lessonId, 'custom');
  });

  it('fails the build on duplicate ids, naming both files', () => {
    const version = fakeVersion(
      [
        { id: 'c/a', source: '@site/docs/01-c/a.md' },
        { id: 'c/b', source: '@site/docs/01-c/b.md', frontMatter: { tutor_lesson: 'a' } },
      ],
      [category('C', [doc('c/a'), doc('c/b')])],
    );
    assert.throws(
      () => computeIds(version, version.docs, opts()),
      (error: unknown) =>
        error instanceof DuplicateIdError &&
        error.message.includes('docs/01-c/a.md') &&
        error.message.includes('docs/01-c/b.md') &&
        error.message.includes('"c/a"'),
    );
  });

  it('only warns on duplicates when asked to', () => {
    const version = fakeVersion(['x/a', 'y/a'], [category('Same', [doc('x/a'), doc('y/a')], { customProps: { chapterId: 'same' } })]);
    const result = computeIds(version, version.docs, opts({ ids: { onDuplicate: 'warn' } }));
    assert.equal(result.pages.length, 1);
    assert.equal(result.warnings.length, 1);
  });

  it('rejects a non-string id override with a clear error', () => {
    const version = fakeVersion([{ id: 'a', frontMatter: { tutor_lesson: ['x'] } }], [doc('a')]);
    assert.throws(() => computeIds(version, version.docs, opts()), InvalidIdError);
  });

  it('keeps ids stable across locales (ids never come from permalinks)', () => {
    const version = fakeVersion(['c/a'], [category('Capítulo', [doc('c/a')])]);
    (version.docs[0] as { permalink: string }).permalink = '/ur/docs/c/a';
    const result = computeIds(version, version.docs, opts());
    assert.deepEqual(summary(result.pages), [['c/a', 'c', 'a', 'lesson']]);
    assert.equal(result.pages[0]!.permalink, '/ur/docs/c/a');
  });

  it('slugify keeps non-Latin letters', () => {
    assert.equal(slugify('Café au lait'), 'cafe-au-lait');
    assert.match(slugify('پائتھون سیکھیں!'), /^\p{L}+-\p{L}+$/u);
    assert.equal(slugify('!!!'), 'chapter');
  });
});
