import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { watchSelection, type WatchedSelection } from '../client/selectionWatcher';

const PAGE = `
  <nav class="navbar"><a id="nav">Navbar link text</a></nav>
  <article><div class="theme-doc-markdown markdown">
    <h2 id="the-loop">The loop</h2>
    <p id="p1">The three stages of the agent loop are perceive, decide, act.</p>
  </div></article>
`;
const OPTIONS = { minChars: 3, maxChars: 1000, contextChars: 400, debounceMs: 10 };

function setup() {
  const window = new Window();
  window.document.body.innerHTML = PAGE;
  const win = window as unknown as globalThis.Window;
  const doc = window.document as unknown as Document;
  const select = (id: string, start: number, end: number) => {
    const text = doc.getElementById(id)!.firstChild!;
    const range = doc.createRange();
    range.setStart(text, start);
    range.setEnd(text, end);
    const selection = doc.getSelection()!;
    selection.removeAllRanges();
    selection.addRange(range);
  };
  return { window, win, select };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('watchSelection', () => {
  it('reports a selection made before it started, at once', async () => {
    const { window, win, select } = setup();
    select('p1', 4, 30);
    const seen: (WatchedSelection | null)[] = [];
    const stop = watchSelection(win, OPTIONS, (found) => seen.push(found));
    assert.equal(seen.length, 1, 'checked once on start, without waiting for an event');
    assert.equal(seen[0]?.highlight.text, 'three stages of the agent');
    assert.equal(seen[0]?.highlight.anchor, 'the-loop');
    stop();
    await window.happyDOM.close();
  });

  it('follows later selections (debounced), hides on Escape and scroll, and stops cleanly', async () => {
    const { window, win, select } = setup();
    const seen: (WatchedSelection | null)[] = [];
    const stop = watchSelection(win, OPTIONS, (found) => seen.push(found));
    assert.equal(seen.length, 1);
    assert.equal(seen[0], null, 'nothing selected at start');

    select('p1', 4, 30);
    window.document.dispatchEvent(new window.Event('selectionchange'));
    await sleep(40);
    assert.equal(seen.at(-1)?.highlight.text, 'three stages of the agent');

    window.document.dispatchEvent(new window.KeyboardEvent('keyup', { key: 'Escape' }));
    assert.equal(seen.at(-1), null);

    select('p1', 4, 30);
    window.document.dispatchEvent(new window.Event('selectionchange'));
    await sleep(40);
    assert.equal(seen.at(-1)?.highlight.text, 'three stages of the agent', 'shown again');
    const beforeScroll = seen.length;
    window.dispatchEvent(new window.Event('scroll'));
    assert.equal(seen.length, beforeScroll + 1, 'scrolling reports at once, without a debounce');
    assert.equal(seen.at(-1), null, 'scrolling hides the button');

    select('nav', 0, 10);
    window.document.dispatchEvent(new window.Event('selectionchange'));
    await sleep(40);
    assert.equal(seen.at(-1), null, 'the navbar is not the article');

    stop();
    const count = seen.length;
    select('p1', 4, 30);
    window.document.dispatchEvent(new window.Event('selectionchange'));
    window.dispatchEvent(new window.Event('scroll'));
    await sleep(40);
    assert.equal(seen.length, count, 'no reports after stop');
    await window.happyDOM.close();
  });
});
