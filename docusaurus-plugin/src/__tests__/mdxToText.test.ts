import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractDoc, headingPlainText, stripFrontMatter, wordCount } from '../content/mdxToText';

describe('extractDoc', () => {
  it('gives headings Docusaurus anchors: github-slugger, {#id} wins, duplicates get -1, -2', () => {
    const source = [
      '# Intro',
      '## Intro',
      '## Set-up & Install',
      '## Set-up & Install',
      '## Set-up & Install',
      '### Use `async` **now**',
      '## Custom {#my-id}',
      '## Ünïcödé Straße',
      '#### [Linked](https://x.example) heading',
    ].join('\n');
    const { headings } = extractDoc(source, 'Page');
    assert.deepEqual(
      headings.map((h) => [h.depth, h.text, h.anchor]),
      [
        [2, 'Intro', 'intro-1'], // the h1 took "intro"
        [2, 'Set-up & Install', 'set-up--install'],
        [2, 'Set-up & Install', 'set-up--install-1'],
        [2, 'Set-up & Install', 'set-up--install-2'],
        [3, 'Use async now', 'use-async-now'],
        [2, 'Custom', 'my-id'],
        [2, 'Ünïcödé Straße', 'ünïcödé-straße'],
        [4, 'Linked heading', 'linked-heading'],
      ],
    );
  });

  it('splits sections at h2 and h3 only, with heading paths', () => {
    const source = 'Lead text.\n\n## A\n\nText A.\n\n### A1\n\nText A1.\n\n#### Deep\n\nDeep text.\n\n## B\n\nText B.';
    const { sections } = extractDoc(source, 'Title');
    assert.deepEqual(
      sections.map((s) => [s.anchor, s.heading_path, s.text]),
      [
        [null, ['Title'], 'Lead text.'],
        ['a', ['Title', 'A'], 'Text A.'],
        ['a1', ['Title', 'A', 'A1'], 'Text A1.\n\n#### Deep\n\nDeep text.'],
        ['b', ['Title', 'B'], 'Text B.'],
      ],
    );
  });

  it('omits an empty lead section', () => {
    const { sections } = extractDoc('---\ntitle: x\n---\n\n# Title\n\n## Only\n\nBody.', 'Title');
    assert.deepEqual(sections.map((s) => s.anchor), ['only']);
  });

  it('drops front matter, imports, exports and comments but keeps JSX inner text', () => {
    const source = [
      '---',
      'title: T',
      '---',
      "import Tabs from '@theme/Tabs';",
      'import {',
      '  A,',
      "} from './a';",
      'export const meta = {',
      "  a: 1,",
      '};',
      '<!-- hidden -->',
      '{/* mdx comment */}',
      '<Tabs groupId="x">',
      '  <TabItem value="a" label="Label A" attributes={{className: "c"}}>',
      '    Inner text with `List<String>` code.',
      '  </TabItem>',
      '</Tabs>',
      '<!--',
      'multi-line comment',
      '-->',
      'After.',
    ].join('\n');
    const { text } = extractDoc(source, 'T');
    assert.equal(text, 'Inner text with `List<String>` code.\n\nAfter.');
    for (const gone of ['import', 'export', 'hidden', 'mdx comment', 'Label A', 'className', 'multi-line']) {
      assert.ok(!text.includes(gone), `${gone} should be dropped`);
    }
  });

  it('turns admonitions into a labelled line followed by the body', () => {
    const source = ':::tip Remember this\nBody one.\n:::\n\n:::note\n\nBody two.\n\n:::\n\n:::warning[Careful now]\nBody three.\n:::';
    assert.equal(extractDoc(source, 'T').text, 'Tip: Remember this\nBody one.\n\nNote:\n\nBody two.\n\nWarning: Careful now\nBody three.');
  });

  it('keeps fenced code verbatim in the text and lists it in code_blocks', () => {
    const source = 'Intro.\n\n```python title="x.py"\ndef f():\n\n\n\n    return "<b>"  \n```\n\n~~~\nplain ~~~ here\n~~~\n\n## Later\n\n```js\n# not a heading\n:::tip not an admonition\n```';
    const result = extractDoc(source, 'T');
    assert.equal(result.text, 'Intro.\n\n```python\ndef f():\n\n\n\n    return "<b>"  \n```\n\n```\nplain ~~~ here\n```\n\n## Later\n\n```js\n# not a heading\n:::tip not an admonition\n```');
    assert.deepEqual(result.sections[0]!.code_blocks, [
      { lang: 'python', code: 'def f():\n\n\n\n    return "<b>"  ' },
      { lang: null, code: 'plain ~~~ here' },
    ]);
    assert.deepEqual(result.sections[1]!.code_blocks, [{ lang: 'js', code: '# not a heading\n:::tip not an admonition' }]);
    assert.deepEqual(result.headings.map((h) => h.text), ['Later']);
  });

  it('handles an unterminated fence and CRLF line endings', () => {
    const result = extractDoc('Text.\r\n\r\n```sh\r\necho hi\r\n', 'T');
    assert.deepEqual(result.sections[0]!.code_blocks, [{ lang: 'sh', code: 'echo hi\n' }]);
  });
});

describe('helpers', () => {
  it('headingPlainText strips inline markdown like mdast toString', () => {
    assert.equal(headingPlainText('**Bold** _em_ `code` [link](/x) ![img](/i.png) <Badge>new</Badge>'), 'Bold em code link img new');
  });
  it('stripFrontMatter only strips a leading block', () => {
    assert.equal(stripFrontMatter('---\na: 1\n---\nBody\n---\n'), 'Body\n---\n');
    assert.equal(stripFrontMatter('Body\n---\na: 1\n---\n'), 'Body\n---\na: 1\n---\n');
  });
  it('wordCount counts whitespace-separated words', () => {
    assert.equal(wordCount('  one two\nthree  '), 3);
    assert.equal(wordCount(''), 0);
  });
});
