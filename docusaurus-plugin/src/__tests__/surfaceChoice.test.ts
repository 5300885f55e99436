import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { chooseSurface, findChatKitScript, SCRIPT_FAILED_ATTRIBUTE } from '../theme/TutorGPT/surfaceChoice';
import { SCRIPT_ONERROR } from '../htmlTags';
import type { TutorClientConfig } from '../content/types';

const SRC = 'https://cdn.example/chatkit.js';
const base = { surface: 'auto', devFallback: 'auto', scriptLoaded: true, scriptSrc: SRC, scriptTimeoutMs: 200 } as TutorClientConfig;
const config = (over: Partial<TutorClientConfig>) => ({ ...base, ...over }) as TutorClientConfig;

describe('chooseSurface', () => {
  // No script is fetched or run: the tests drive the element's events themselves.
  const window = new Window({ settings: { disableJavaScriptFileLoading: true, disableJavaScriptEvaluation: true } });
  const document = window.document as unknown as Document;
  const g = globalThis as { customElements?: unknown };
  before(() => {
    g.customElements = window.customElements;
  });
  after(async () => {
    delete g.customElements;
    await window.happyDOM.close();
  });

  /** A script element like the one injectHtmlTags renders (src only; never loaded here). */
  const injectScript = () => {
    document.head.innerHTML = '';
    const script = document.createElement('script');
    script.setAttribute('src', SRC);
    document.head.appendChild(script);
    return script;
  };

  it('uses the fallback when forced, whatever the script does', async () => {
    assert.equal(await chooseSurface(config({ surface: 'fallback' }), document), 'fallback');
    assert.equal(await chooseSurface(config({ devFallback: 'always' }), document), 'fallback');
  });

  it('does not wait for a script that was never injected', async () => {
    const started = Date.now();
    assert.equal(await chooseSurface(config({ scriptLoaded: false }), document), 'fallback');
    assert.ok(Date.now() - started < 100);
  });

  it('finds the injected script by its src', () => {
    const script = injectScript();
    assert.equal(findChatKitScript(document, SRC), script);
    assert.equal(findChatKitScript(document, 'https://cdn.example/other.js'), null);
    assert.equal(findChatKitScript(document, null), null);
  });

  it('falls back at once when the script fires its error event', async () => {
    const script = injectScript();
    const started = Date.now();
    const pending = chooseSurface(config({ scriptTimeoutMs: 5000 }), document);
    setTimeout(() => script.dispatchEvent(new window.Event('error') as unknown as Event), 20);
    assert.equal(await pending, 'fallback');
    assert.ok(Date.now() - started < 1000, `waited ${Date.now() - started} ms`);
  });

  it('falls back at once when the script failed before the tutor mounted', async () => {
    const script = injectScript();
    // Run the exact inline handler the plugin renders, as the browser would on the failure.
    new Function(SCRIPT_ONERROR).call(script);
    assert.ok(script.hasAttribute(SCRIPT_FAILED_ATTRIBUTE));
    const started = Date.now();
    assert.equal(await chooseSurface(config({ scriptTimeoutMs: 5000 }), document), 'fallback');
    assert.equal(await chooseSurface(config({ scriptTimeoutMs: 5000, devFallback: 'never' }), document), 'unavailable');
    assert.ok(Date.now() - started < 100, `waited ${Date.now() - started} ms`);
  });

  it('falls back after the timeout when a hanging script never defines the element, or reports it unavailable', async () => {
    injectScript();
    const started = Date.now();
    assert.equal(await chooseSurface(config({}), document), 'fallback');
    assert.ok(Date.now() - started >= 190);
    assert.equal(await chooseSurface(config({ devFallback: 'never' }), document), 'unavailable');
  });

  it('uses ChatKit as soon as openai-chatkit is defined', async () => {
    injectScript();
    const pending = chooseSurface(config({ scriptTimeoutMs: 5000 }), document);
    setTimeout(() => window.customElements.define('openai-chatkit', class extends window.HTMLElement {} as never), 20);
    assert.equal(await pending, 'chatkit');
    assert.equal(await chooseSurface(config({ scriptLoaded: false }), document), 'chatkit', 'a site that loads the script itself still gets ChatKit');
  });
});
