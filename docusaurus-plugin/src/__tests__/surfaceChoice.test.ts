import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import { chooseSurface } from '../theme/TutorGPT/surfaceChoice';
import type { TutorClientConfig } from '../content/types';

const base = { surface: 'auto', devFallback: 'auto', scriptLoaded: true, scriptTimeoutMs: 200 } as TutorClientConfig;
const config = (over: Partial<TutorClientConfig>) => ({ ...base, ...over }) as TutorClientConfig;

describe('chooseSurface', () => {
  const window = new Window();
  const g = globalThis as { customElements?: unknown };
  before(() => {
    g.customElements = window.customElements;
  });
  after(async () => {
    delete g.customElements;
    await window.happyDOM.close();
  });

  it('uses the fallback when forced, whatever the script does', async () => {
    assert.equal(await chooseSurface(config({ surface: 'fallback' })), 'fallback');
    assert.equal(await chooseSurface(config({ devFallback: 'always' })), 'fallback');
  });

  it('does not wait for a script that was never injected', async () => {
    const started = Date.now();
    assert.equal(await chooseSurface(config({ scriptLoaded: false })), 'fallback');
    assert.ok(Date.now() - started < 100);
  });

  it('falls back after the timeout when the CDN never defines the element, or reports it unavailable', async () => {
    const started = Date.now();
    assert.equal(await chooseSurface(config({})), 'fallback');
    assert.ok(Date.now() - started >= 190);
    assert.equal(await chooseSurface(config({ devFallback: 'never' })), 'unavailable');
  });

  it('uses ChatKit as soon as openai-chatkit is defined', async () => {
    const pending = chooseSurface(config({ scriptTimeoutMs: 5000 }));
    setTimeout(() => window.customElements.define('openai-chatkit', class extends window.HTMLElement {} as never), 20);
    assert.equal(await pending, 'chatkit');
    assert.equal(await chooseSurface(config({ scriptLoaded: false })), 'chatkit', 'a site that loads the script itself still gets ChatKit');
  });
});
