/**
 * The built book's export, checked against what the book's author meant: the plugin rules the
 * example site exercises (category chapter id, tutor_lesson override, tutor_exclude, duplicate
 * headings) and every golden fact in golden-facts.json, which the backend tests rely on.
 */
import assert from 'node:assert/strict';
import {readFile} from 'node:fs/promises';
import path from 'node:path';
import {test} from 'node:test';

import {SITE_DIR, normalize} from './support.mjs';

const index = JSON.parse(await readFile(path.join(SITE_DIR, 'build', 'tutorgpt', 'book-index.json'), 'utf8'));
const golden = JSON.parse(await readFile(path.join(SITE_DIR, 'golden-facts.json'), 'utf8')).lessons;
const byPermalink = new Map(index.pages.map((page) => [page.permalink.replace(/\/$/, ''), page]));

test('the export holds the 13 tutored docs and leaves out the excluded page', () => {
  assert.equal(index.schema_version, 1);
  assert.equal(index.pages.length, 13);
  assert.ok(!byPermalink.has('/docs/about'), '"About this book" is tutor_exclude: true');
  assert.deepEqual(
    index.chapters.map((chapter) => chapter.id),
    ['ai-agents', 'python-for-agents', 'retrieval'],
  );
});

test('chapter overviews are the "overview" lesson of their chapter', () => {
  for (const [permalink, chapterId] of [
    ['/docs/foundations', 'ai-agents'],
    ['/docs/python-for-agents', 'python-for-agents'],
    ['/docs/retrieval', 'retrieval'],
  ]) {
    const page = byPermalink.get(permalink);
    assert.ok(page, `${permalink} is missing`);
    assert.deepEqual([page.chapter_id, page.lesson_id, page.role], [chapterId, 'overview', 'chapter-intro']);
  }
  assert.equal(byPermalink.get('/docs/intro').chapter_id, null);
});

test('duplicate headings get Docusaurus anchors with suffixes', () => {
  const anchors = byPermalink.get('/docs/python-for-agents/http-apis').headings.map((heading) => heading.anchor);
  assert.ok(anchors.includes('why-it-matters') && anchors.includes('why-it-matters-1'), anchors.join(', '));
});

test('every golden fact is stated in its lesson, in the section it names', () => {
  for (const fact of golden) {
    const page = byPermalink.get(fact.permalink);
    assert.ok(page, `${fact.permalink} is missing`);
    assert.deepEqual([page.chapter_id, page.lesson_id], [fact.chapter_id, fact.lesson_id], fact.permalink);
    const section = page.sections.find((candidate) => candidate.anchor === fact.anchor);
    assert.ok(section, `${fact.permalink}#${fact.anchor} is not a section`);
    const text = normalize(section.text).replaceAll('`', '');
    assert.ok(text.includes(fact.fact), `${fact.permalink}#${fact.anchor} does not state: ${fact.fact}`);
    assert.ok(fact.fact.includes(fact.expect), `expect "${fact.expect}" is not in the fact`);
  }
});

test('lessons are 350 to 700 words of teaching text', () => {
  for (const fact of golden) {
    const words = byPermalink.get(fact.permalink).word_count;
    assert.ok(words >= 350 && words <= 700, `${fact.permalink} has ${words} words`);
  }
});
