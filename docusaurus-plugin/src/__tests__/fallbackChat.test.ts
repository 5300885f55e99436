/**
 * The fallback panel rendered by React into happy-dom, talking to a real loopback backend:
 * checks the DOM hooks the browser tests rely on and the protocol round trip end to end.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Window } from 'happy-dom';
import React from 'react';
import type { Root } from 'react-dom/client';
import type { TutorClientConfig } from '../content/types';
import { sse, startBackend } from './helpers/backend';

const window = new Window({ url: 'http://127.0.0.1/' });
const g = globalThis as Record<string, unknown>;
for (const key of ['window', 'document', 'navigator', 'localStorage', 'HTMLElement', 'Node', 'Event', 'KeyboardEvent', 'MutationObserver', 'requestAnimationFrame', 'cancelAnimationFrame', 'getComputedStyle']) {
  g[key] = (window as unknown as Record<string, unknown>)[key];
}
// Real timers and real network: the test polls the DOM instead of using act().
g.IS_REACT_ACT_ENVIRONMENT = false;

const CONFIG = {
  backendUrl: '',
  ui: { greeting: 'Hello reader', starterPrompts: [{ label: 'Quiz me', prompt: 'Quiz me' }], placeholder: 'Ask…', disclaimer: 'Private.' },
} as unknown as TutorClientConfig;

const EVENTS = [
  { type: 'thread.created', thread: { id: 'thr_1', title: null, items: { data: [], has_more: false } } },
  { type: 'thread.item.done', item: { id: 'msg_u', type: 'user_message', content: [{ type: 'input_text', text: 'What is <b>an agent</b>?' }], attachments: [], quoted_text: null, inference_options: {} } },
  { type: 'progress_update', text: 'Searching the book…' },
  { type: 'notice', level: 'warning', message: 'Answers come from **the book** only.' },
  { type: 'thread.item.added', item: { id: 'msg_a', type: 'assistant_message', content: [] } },
  { type: 'thread.item.updated', item_id: 'msg_a', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'An agent **loops**.\n\n- perceive\n- act <script>x</script>' } },
  { type: 'thread.item.done', item: { id: 'msg_a', type: 'assistant_message', content: [{ type: 'output_text', text: 'An agent **loops**.\n\n- perceive\n- act <script>x</script>', annotations: [{ type: 'annotation', source: { type: 'url', url: '/docs/a#the-loop', title: 'The loop' } }] }] } },
  { type: 'thread.updated', thread: { id: 'thr_1', title: 'Agents' } },
  { type: 'error', code: 'custom', message: 'Partial answer only.', allow_retry: false },
];

async function waitFor(check: () => boolean, what: string, ms = 5000) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('FallbackChat in a DOM', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  let root: Root;
  const q = (selector: string) => window.document.querySelector(selector) as unknown as HTMLElement | null;
  const qa = (selector: string) => Array.from(window.document.querySelectorAll(selector)) as unknown as HTMLElement[];

  before(async () => {
    backend = await startBackend({ sse: sse(EVENTS), chunkSizes: [3, 50] });
  });
  after(async () => {
    root?.unmount();
    await backend.close();
    await window.happyDOM.close();
  });

  const navigations: string[] = [];

  async function mount() {
    const { createRoot } = await import('react-dom/client');
    const { default: FallbackChat } = await import('../theme/TutorGPT/FallbackChat');
    const container = window.document.createElement('div');
    window.document.body.appendChild(container);
    const fetchWithSecret: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set('Authorization', 'Bearer sk_test');
      return fetch(`${backend.origin}/api/chatkit`, { ...init, headers });
    };
    root = createRoot(container as unknown as Element);
    root.render(React.createElement(FallbackChat, { config: CONFIG, fetch: fetchWithSecret, colorScheme: 'light', action: null, visible: true, onNavigate: (path: string) => navigations.push(path) }));
    await waitFor(() => container.querySelector('[data-tutorgpt="composer"]') !== null, 'the panel to render');
    return container;
  }

  it('streams an answer with the DOM hooks, safe markdown, citations, notices and errors', async () => {
    window.localStorage.clear();
    await mount();
    assert.ok(q('[data-tutorgpt="composer"]'));
    assert.ok(window.document.body.textContent?.includes('Hello reader'));
    const composer = q('[data-tutorgpt="composer"]') as unknown as HTMLTextAreaElement;
    const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(composer), 'value')!.set!;
    setter.call(composer, 'What is <b>an agent</b>?');
    composer.dispatchEvent(new window.Event('input', { bubbles: true }) as unknown as Event);
    await waitFor(() => !(q('[data-tutorgpt="send"]') as HTMLButtonElement).disabled, 'the send button to enable');
    (q('[data-tutorgpt="send"]') as HTMLButtonElement).click();
    await waitFor(() => q('[data-tutorgpt="message"][data-role="assistant"][data-done="true"]') !== null, 'the finished answer');
    await waitFor(() => q('[data-tutorgpt="send"]') !== null, 'the stream to end');

    const messages = qa('[data-tutorgpt="message"]');
    assert.deepEqual(messages.map((m) => m.dataset.role), ['user', 'assistant']);
    assert.ok(messages[0]!.textContent!.includes('What is <b>an agent</b>?'), 'user text is shown literally');
    const answer = messages[1]!;
    assert.ok(answer.querySelector('strong')?.textContent === 'loops');
    assert.equal(answer.querySelector('ul')!.querySelectorAll('li').length, 2);
    assert.equal(answer.querySelector('script'), null, 'no HTML from the model reaches the DOM');
    assert.deepEqual(qa('[data-tutorgpt="citation"]').map((a) => [a.getAttribute('href'), a.textContent]), [['/docs/a#the-loop', 'The loop']]);

    // A citation goes through the router (no page load), so the panel and thread stay.
    const citation = q('[data-tutorgpt="citation"]')!;
    const followed = new window.MouseEvent('click', { bubbles: true, cancelable: true, button: 0 });
    citation.dispatchEvent(followed as unknown as Event);
    assert.deepEqual(navigations, ['/docs/a#the-loop']);
    assert.equal(followed.defaultPrevented, true, 'the browser would have loaded the page');
    const newTab = new window.MouseEvent('click', { bubbles: true, cancelable: true, button: 0, ctrlKey: true });
    citation.dispatchEvent(newTab as unknown as Event);
    assert.equal(newTab.defaultPrevented, false, 'ctrl+click is left to the browser');
    assert.equal(navigations.length, 1);
    assert.ok(q('[data-tutorgpt="notice"]')?.textContent?.includes('the book'));
    assert.equal(q('[data-tutorgpt="error"]')?.textContent, 'Partial answer only.');
    assert.equal(window.localStorage.getItem('tutorgpt.thread'), '"thr_1"');
    assert.ok(window.document.body.textContent?.includes('Agents'), 'the thread title is shown');
    const sent = backend.requests.at(-1)!.body as { type: string; params: { input: { quoted_text: unknown } } };
    assert.equal(sent.type, 'threads.create');
    assert.equal(sent.params.input.quoted_text, null);
  });

  it('reloads the stored thread with threads.get_by_id, and New chat forgets it', async () => {
    root.unmount();
    window.document.body.innerHTML = '';
    window.localStorage.setItem('tutorgpt.thread', '"thr_1"');
    await mount();
    await waitFor(() => qa('[data-tutorgpt="message"]').length === 2, 'the reloaded thread');
    assert.deepEqual(qa('[data-tutorgpt="message"]').map((m) => [m.dataset.role, m.dataset.done]), [['user', 'true'], ['assistant', 'true']]);
    assert.equal((backend.requests.at(-1)!.body as { type: string }).type, 'threads.get_by_id');
    (q('[data-tutorgpt="new-thread"]') as HTMLButtonElement).click();
    await waitFor(() => qa('[data-tutorgpt="message"]').length === 0, 'the conversation to clear');
    await waitFor(() => window.localStorage.getItem('tutorgpt.thread') === null, 'the stored thread id to be forgotten');
  });
});
