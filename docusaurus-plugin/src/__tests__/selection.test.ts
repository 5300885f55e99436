import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { defaultPrompt, nearestHeadingAnchor, readSelection, truncate, type SelectionLike } from '../client/selection';
import { describeShortcut, isEditable, matchesShortcut, parseShortcut } from '../client/shortcut';

const PAGE = `
  <nav class="navbar"><a id="nav">Navbar link text</a></nav>
  <aside class="theme-doc-sidebar-container"><a id="side">Sidebar text here</a></aside>
  <article><div class="theme-doc-markdown markdown">
    <h1 id="title">Title</h1>
    <p id="intro">Intro paragraph before any section.</p>
    <h2 id="the-loop">The loop</h2>
    <p id="p1">The three   stages of the
      agent loop are perceive, decide, act.</p>
    <ul><li id="li">A list item about tools.</li></ul>
    <h3 id="deeper">Deeper</h3>
    <div class="codeBlockContainer"><pre><code id="code">print("hi")</code></pre><button id="copy" class="clean-btn">Copy code</button></div>
  </div></article>
  <div data-tutorgpt="panel"><p id="panel">Text inside the tutor panel</p></div>
`;

function setup() {
  const window = new Window();
  window.document.body.innerHTML = PAGE;
  const document = window.document as unknown as Document;
  const select = (startId: string, startOffset: number, endId: string, endOffset: number): SelectionLike => {
    const range = document.createRange();
    range.setStart(document.getElementById(startId)!.firstChild!, startOffset);
    range.setEnd(document.getElementById(endId)!.firstChild!, endOffset);
    return { isCollapsed: range.collapsed, rangeCount: 1, getRangeAt: () => range, toString: () => range.toString() };
  };
  return { window, document, select };
}

const LIMITS = { minChars: 3, maxChars: 1000, contextChars: 400 };

describe('readSelection', () => {
  it('accepts article text and records the paragraph and nearest heading anchor', () => {
    const { select } = setup();
    const highlight = readSelection(select('p1', 4, 'p1', 60), LIMITS);
    assert.ok(highlight);
    assert.match(highlight.text, /^three stages of the agent loop are perceive, d/, 'whitespace collapsed');
    assert.equal(highlight.context, 'The three stages of the agent loop are perceive, decide, act.');
    assert.equal(highlight.anchor, 'the-loop');
    assert.equal(highlight.truncated, false);
  });

  it('uses the latest heading before the selection, and the title before any h2', () => {
    const { select } = setup();
    assert.equal(readSelection(select('code', 0, 'code', 11), LIMITS)?.anchor, 'deeper');
    assert.equal(readSelection(select('intro', 0, 'intro', 15), LIMITS)?.anchor, 'title');
    assert.equal(readSelection(select('li', 0, 'li', 12), LIMITS)?.context, 'A list item about tools.');
  });

  it('ignores the navbar, the sidebar, code copy buttons and the tutor panel', () => {
    const { select } = setup();
    for (const id of ['nav', 'side', 'copy', 'panel']) {
      assert.equal(readSelection(select(id, 0, id, 8), LIMITS), null, id);
    }
  });

  it('ignores selections that leave the article, collapsed ones and short ones', () => {
    const { select } = setup();
    assert.equal(readSelection(select('p1', 0, 'panel', 4), LIMITS), null);
    assert.equal(readSelection(select('p1', 4, 'p1', 4), LIMITS), null);
    assert.equal(readSelection(select('p1', 4, 'p1', 6), LIMITS), null);
    assert.equal(readSelection(null, LIMITS), null);
  });

  it('caps the text at maxChars with a truncated flag', () => {
    const { select } = setup();
    const highlight = readSelection(select('p1', 0, 'p1', 60), { ...LIMITS, maxChars: 20, contextChars: 10 });
    assert.ok(highlight);
    assert.ok(highlight.text.length <= 20);
    assert.equal(highlight.truncated, true);
    assert.ok(highlight.context!.length <= 10);
  });
});

describe('selection helpers', () => {
  it('truncate prefers a word boundary near the end', () => {
    assert.deepEqual(truncate('alpha beta gamma', 100), { text: 'alpha beta gamma', truncated: false });
    assert.deepEqual(truncate('aaaaaaaaa bbbbbbbbbbbb', 12), { text: 'aaaaaaaaa bb', truncated: true });
    assert.deepEqual(truncate('aaaaaaaaaaa bbbbbb', 12), { text: 'aaaaaaaaaaa', truncated: true });
  });

  it('truncate counts code points: 999 x + an emoji fits 1000 and a pair is never split', () => {
    const fits = `${'x'.repeat(999)}🚀`;
    assert.deepEqual(truncate(fits, 1000), { text: fits, truncated: false });
    assert.deepEqual(truncate(`${fits}🚀`, 1000), { text: fits, truncated: true });
    assert.equal(truncate(`${'x'.repeat(999)}🚀🚀`, 1000).text.at(-1), '\uDE80');
  });

  it('asks to narrow down selections over 200 words', () => {
    assert.equal(defaultPrompt('short passage'), 'Explain this in simpler terms.');
    assert.equal(defaultPrompt('word '.repeat(201)), 'Which part of this is unclear?');
  });

  it('nearestHeadingAnchor returns null before any heading', () => {
    const { document } = setup();
    const root = document.querySelector('.markdown')!;
    document.getElementById('title')!.removeAttribute('id');
    assert.equal(nearestHeadingAnchor(root, document.getElementById('intro')!), null);
  });
});

describe('shortcut', () => {
  const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean; shiftKey: boolean }> = {}) => ({
    key: k,
    ctrlKey: false,
    metaKey: false,
    altKey: false,
    shiftKey: false,
    ...mods,
  });

  it('maps mod to Cmd on Apple platforms and Ctrl elsewhere', () => {
    const shortcut = parseShortcut('mod+.')!;
    assert.ok(matchesShortcut(key('.', { metaKey: true }), shortcut, true));
    assert.ok(!matchesShortcut(key('.', { ctrlKey: true }), shortcut, true));
    assert.ok(matchesShortcut(key('.', { ctrlKey: true }), shortcut, false));
    assert.ok(!matchesShortcut(key('.'), shortcut, false));
    assert.ok(!matchesShortcut(key('k', { ctrlKey: true }), shortcut, false));
  });

  it('parses modifiers and rejects unknown ones', () => {
    assert.deepEqual(parseShortcut('ctrl+shift+K'), { key: 'k', mod: false, ctrl: true, alt: false, shift: true, meta: false });
    assert.equal(parseShortcut('hyper+k'), null);
    assert.equal(parseShortcut(''), null);
    assert.equal(parseShortcut('mod++')?.key, '+');
  });

  it('treats inputs, textareas and contenteditable as editable', () => {
    const { document } = setup();
    document.body.insertAdjacentHTML('beforeend', '<input id="i"><textarea id="t"></textarea><div contenteditable="true"><span id="s">x</span></div>');
    for (const id of ['i', 't', 's']) assert.ok(isEditable(document.getElementById(id)), id);
    assert.ok(!isEditable(document.getElementById('p1')));
    assert.ok(!isEditable(null));
  });
});

describe('describeShortcut', () => {
  it('names the shortcut for aria-keyshortcuts and for the visible hint', () => {
    const mod = parseShortcut('mod+.')!;
    assert.deepEqual(describeShortcut(mod, false), { aria: 'Control+.', visible: 'Ctrl+.' });
    assert.deepEqual(describeShortcut(mod, true), { aria: 'Meta+.', visible: '⌘.' });
    assert.deepEqual(describeShortcut(parseShortcut('ctrl+shift+k')!, false), { aria: 'Control+Shift+K', visible: 'Ctrl+Shift+K' });
  });
});
