import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { anchorOf, inAppPath, NARROW_MAX_WIDTH, panelCoversArticle } from '../client/links';
import { isNearEnd, scrollToEnd } from '../client/scroll';
import { tutorCss } from '../theme/TutorGPT/styles';

const ORIGIN = 'https://book.example';
const window = new Window({ url: `${ORIGIN}/docs/intro`, width: 1280, height: 800 });
const document = window.document as unknown as Document;
document.body.innerHTML = `
  <div id="log">
    <a id="cite" href="/docs/chunking#overlap"><strong id="inner">Overlap</strong></a>
    <a id="abs" href="${ORIGIN}/docs/x?y=1#z">same site</a>
    <a id="other" href="https://elsewhere.example/docs">other site</a>
    <a id="blank" href="/docs/a" target="_blank">new tab</a>
    <a id="dl" href="/files/a.zip" download>download</a>
  </div>
  <a id="outside" href="/docs/b">outside</a>`;
const el = (id: string) => document.getElementById(id)!;
const anchor = (id: string) => el(id) as HTMLAnchorElement;
const click = { button: 0, defaultPrevented: false, metaKey: false, ctrlKey: false, shiftKey: false, altKey: false };

after(async () => {
  await window.happyDOM.close();
});

describe('chat links', () => {
  it('finds the anchor a click landed in, only inside the chat', () => {
    assert.equal(anchorOf(el('inner'), el('log')), anchor('cite'));
    assert.equal(anchorOf(el('inner').firstChild, el('log')), anchor('cite'), 'a text node target');
    assert.equal(anchorOf(el('outside'), el('log')), null);
    assert.equal(anchorOf(el('log'), el('log')), null);
    assert.equal(anchorOf(null, el('log')), null);
  });

  it('takes over plain clicks on same-site links, as router paths', () => {
    assert.equal(inAppPath(anchor('cite'), click, ORIGIN), '/docs/chunking#overlap');
    assert.equal(inAppPath(anchor('abs'), click, ORIGIN), '/docs/x?y=1#z');
  });

  it('leaves other sites, new tabs, downloads and modified clicks to the browser', () => {
    assert.equal(inAppPath(anchor('other'), click, ORIGIN), null);
    assert.equal(inAppPath(anchor('blank'), click, ORIGIN), null);
    assert.equal(inAppPath(anchor('dl'), click, ORIGIN), null);
    for (const modifier of ['metaKey', 'ctrlKey', 'shiftKey', 'altKey'] as const) {
      assert.equal(inAppPath(anchor('cite'), { ...click, [modifier]: true }, ORIGIN), null, modifier);
    }
    assert.equal(inAppPath(anchor('cite'), { ...click, button: 1 }, ORIGIN), null, 'middle click');
    assert.equal(inAppPath(anchor('cite'), { ...click, defaultPrevented: true }, ORIGIN), null);
  });

  it('closes the panel after a citation on phones and tablets (one-column layout), not on desktops', () => {
    assert.equal(panelCoversArticle(window as unknown as globalThis.Window), false);
    for (const width of [390, 768]) {
      window.happyDOM.setViewport({ width, height: 800 });
      assert.equal(panelCoversArticle(window as unknown as globalThis.Window), true, `${width} px`);
    }
    window.happyDOM.setViewport({ width: 1280, height: 800 });
    assert.ok(tutorCss(400).includes(`@media (max-width:${NARROW_MAX_WIDTH}px)`), 'the CSS breakpoint moved without links.ts');
  });
});

describe('message list scrolling', () => {
  it('knows when the reader is at the end, and scrolls only the list to its end', () => {
    const list = { scrollTop: 0, scrollHeight: 1000, clientHeight: 300 };
    assert.equal(isNearEnd(list), false);
    scrollToEnd(list);
    assert.equal(list.scrollTop, 700);
    assert.equal(isNearEnd(list), true);
    list.scrollHeight = 1020; // a streamed line arrived
    assert.equal(isNearEnd(list), true);
    list.scrollTop = 200; // the reader scrolled up to reread
    assert.equal(isNearEnd(list), false);
    const short = { scrollTop: 0, scrollHeight: 100, clientHeight: 300 };
    scrollToEnd(short);
    assert.equal(short.scrollTop, 0);
  });

  it('the panel scrolls as a whole only when its parts cannot fit (zoom), and never chains to the page', () => {
    const css = tutorCss(400);
    const panelRule = /\.tutorgpt-panel\{[^}]*\}/.exec(css)![0];
    assert.match(panelRule, /overflow-y:auto/);
    assert.match(panelRule, /overscroll-behavior:contain/);
    assert.match(/\.tutorgpt-log\{[^}]*\}/.exec(css)![0], /overscroll-behavior:contain/);
    assert.match(/\.tutorgpt-body\{[^}]*\}/.exec(css)![0], /min-height:\d/, 'the chat keeps a usable height');
  });
});
