import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderToStaticMarkup } from 'react-dom/server';
import React from 'react';
import { parseInline, parseMarkdown, safeHref } from '../client/markdown';
import Markdown from '../theme/TutorGPT/Markdown';

const html = (text: string) => renderToStaticMarkup(React.createElement(Markdown, { text }));

describe('markdown', () => {
  it('renders paragraphs, lists, code, emphasis and links', () => {
    const out = html('Intro with **bold**, *em*, _em2_ and `code`.\n\n- one\n- [two](/docs/a#b)\n\n1. first\n2. second\n\n```python\nprint("<hi>")\n```\n\n> quoted');
    assert.equal(
      out,
      '<p>Intro with <strong>bold</strong>, <em>em</em>, <em>em2</em> and <code>code</code>.</p>' +
        '<ul><li>one</li><li><a href="/docs/a#b" rel="noopener noreferrer">two</a></li></ul>' +
        '<ol><li>first</li><li>second</li></ol>' +
        '<pre data-lang="python" tabindex="0" role="group" aria-label="Code (python)"><code>print(&quot;&lt;hi&gt;&quot;)</code></pre>' +
        '<blockquote>quoted</blockquote>',
    );
  });

  it('never lets HTML or script URLs through', () => {
    const out = html('<img src=x onerror="alert(1)"> <script>alert(2)</script> [x](javascript:alert(3)) [y](JaVa\tScRiPt:alert(4)) [z](data:text/html,hi)');
    assert.ok(!/<img|<script|href="javascript|href="data|href="java/i.test(out), out);
    assert.ok(out.includes('&lt;img'), 'HTML is shown as text');
  });

  it('allows only http(s), mailto and relative links', () => {
    assert.equal(safeHref('https://book.example/docs#a'), 'https://book.example/docs#a');
    assert.equal(safeHref('mailto:a@b.c'), 'mailto:a@b.c');
    assert.equal(safeHref('/docs/x'), '/docs/x');
    assert.equal(safeHref('#anchor'), '#anchor');
    assert.equal(safeHref('vbscript:x'), null);
  });

  it('parses half-streamed input without throwing', () => {
    const partial = 'Some **bold and `cod\n\n```js\nconst a = 1;';
    const blocks = parseMarkdown(partial);
    assert.equal(blocks.at(-1)?.type, 'code');
    assert.deepEqual(parseInline('**open'), [{ type: 'text', text: '**open' }]);
  });

  it('turns bare URLs into links', () => {
    assert.deepEqual(parseInline('see https://book.example/docs/a#b.'), [
      { type: 'text', text: 'see ' },
      { type: 'link', href: 'https://book.example/docs/a#b', children: [{ type: 'text', text: 'https://book.example/docs/a#b' }] },
      { type: 'text', text: '.' },
    ]);
  });

  it('renders bold, italic and their combinations cleanly, leaving snake_case and stray markers alone', () => {
    assert.equal(
      html('**bold**, _italic_, ***both***, **_nested_**, _with **bold** inside_, snake_case_name, a__b__c, a * b'),
      '<p><strong>bold</strong>, <em>italic</em>, <strong><em>both</em></strong>, <strong><em>nested</em></strong>, ' +
        '<em>with <strong>bold</strong> inside</em>, snake_case_name, a__b__c, a * b</p>',
    );
    // The offline tutor's answer shape: an italic note line and bold section names.
    assert.equal(
      html('_I answer from the book only._\n\n**Chunking › Overlap**: chunk overlap is 15 percent.'),
      '<p><em>I answer from the book only.</em></p><p><strong>Chunking › Overlap</strong>: chunk overlap is 15 percent.</p>',
    );
  });

  it('renders links with titles, parentheses and angle brackets, and drops unsafe ones to their text', () => {
    assert.equal(
      html('[the loop](/docs/a#the-loop "The loop") [wiki](https://w.example/A_(b)) <https://y.example/p>.'),
      '<p><a href="/docs/a#the-loop" rel="noopener noreferrer">the loop</a> ' +
        '<a href="https://w.example/A_(b)" target="_blank" rel="noopener noreferrer">wiki</a> ' +
        '<a href="https://y.example/p" target="_blank" rel="noopener noreferrer">https://y.example/p</a>.</p>',
    );
    assert.equal(html('[bad](javascript:alert(1)) done'), '<p>bad done</p>');
  });

  it('shows raw HTML, comments and entities as text, never as markup', () => {
    const out = html('Raw <b>html</b> <a href="/x">a</a> <!-- c --> <iframe src="https://e.example"></iframe>\n\n> <em>q</em>\n\n- <img src=x>');
    assert.ok(!/<(b|a href="\/x"|iframe|img|em)[ >]/.test(out), out);
    assert.ok(out.includes('&lt;b&gt;html&lt;/b&gt;') && out.includes('&lt;iframe') && out.includes('&lt;img'), out);
  });
});

