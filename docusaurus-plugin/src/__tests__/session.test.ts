import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../client/chatClient';
import { buildPageContext, decodeContextHeader, type PageContext } from '../client/context';
import { TutorHttpError } from '../client/http';
import { refreshMargin, SessionManager, sessionBody, type SessionInfo, type Student } from '../client/session';
import { applyEvent, EMPTY_THREAD, messageCitations, messageText, threadFromJson } from '../client/thread';
import { createTutorFetch, isMessageSend } from '../client/transport';
import { sse, startBackend } from './helpers/backend';

let context: PageContext = buildPageContext({
  pageMap: { '/docs/a': { d: 'a', t: 'Lesson A', c: 'ch', l: 'a', p: 'pt' } },
  chapters: { 'default|current|ch': 'Chapter' },
  parts: { 'default|current|pt': 'Part' },
  pathname: '/docs/a',
  href: 'https://book.example/docs/a',
  documentTitle: null,
  locale: 'en',
  highlight: { text: 'selected words', context: 'the paragraph', anchor: 'sec', truncated: false },
});
const student: Student = { email: 'jane@example.com', name: 'Jane', level: 'intermediate' };

function setup(backend: Awaited<ReturnType<typeof startBackend>>, who: Student | null = student) {
  const session = new SessionManager({
    sessionEndpoint: `${backend.origin}/api/chatkit/session`,
    refreshEndpoint: `${backend.origin}/api/chatkit/session/refresh`,
    fetch,
    getContext: () => context,
    getStudent: () => who,
    defaultLevel: 'beginner',
  });
  const tutorFetch = createTutorFetch({ session, getContext: () => context, header: 'X-TutorGPT-Context' });
  return { session, tutorFetch, client: new ChatClient(`${backend.origin}/api/chatkit`, tutorFetch) };
}

describe('session body', () => {
  it('uses the contract snake_case fields and skips empty ones', () => {
    const body = sessionBody({ ...context, chapter_title: null }, { email: ' jane@example.com ', name: '' }, 'beginner');
    assert.equal(body.page_path, '/docs/a');
    assert.equal(body.page_title, 'Lesson A');
    assert.equal(body.current_chapter, 'ch');
    assert.equal(body.current_lesson, 'a');
    assert.equal(body.highlighted_text, 'selected words');
    assert.equal(body.student_email, 'jane@example.com');
    assert.equal(body.learning_level, 'beginner');
    assert.ok(!('student_name' in body) && !('chapter_title' in body));
  });

  it('refreshes a fifth of the lifetime early, between 5 and 60 seconds', () => {
    assert.equal(refreshMargin(30 * 60_000), 60_000);
    assert.equal(refreshMargin(100_000), 20_000);
    assert.equal(refreshMargin(1_000), 5_000);
  });
});

describe('session and transport over HTTP', () => {
  let backend: Awaited<ReturnType<typeof startBackend>>;
  before(async () => {
    backend = await startBackend();
  });
  after(() => backend.close());

  it('creates the session once and sends bearer + context header on every request', async () => {
    backend.requests.length = 0;
    const { tutorFetch, session } = setup(backend);
    const first = await tutorFetch(`${backend.origin}/api/chatkit`, { method: 'POST', headers: { 'X-Widget': 'kept' }, body: '{"type":"threads.get_by_id","params":{"thread_id":"thr_1"}}' });
    assert.equal(first.status, 200);
    context = { ...context, page_path: '/docs/b', highlighted_text: null };
    await tutorFetch(`${backend.origin}/api/chatkit`, { method: 'POST', body: '{"type":"threads.get_by_id","params":{"thread_id":"thr_1"}}' });
    const [created, call1, call2] = backend.requests;
    assert.equal(created!.path, '/api/chatkit/session');
    assert.deepEqual(
      Object.keys(created!.body as object).sort(),
      ['current_chapter', 'current_lesson', 'doc_id', 'highlight_anchor', 'highlight_context', 'highlighted_text', 'learning_level', 'lesson_title', 'locale', 'page_path', 'page_title', 'page_url', 'chapter_title', 'student_email', 'student_name', 'docs_instance', 'version', 'part_id', 'part_title'].sort(),
    );
    assert.equal(call1!.headers.authorization, 'Bearer sk_test_1');
    assert.equal(call1!.headers['x-widget'], 'kept', "the widget's own headers are kept");
    assert.equal((decodeContextHeader(call1!.headers['x-tutorgpt-context'] as string) as PageContext).highlighted_text, 'selected words');
    assert.equal((decodeContextHeader(call2!.headers['x-tutorgpt-context'] as string) as PageContext).page_path, '/docs/b', 'context is read at send time');
    assert.equal(call2!.headers.authorization, 'Bearer sk_test_1');
    assert.equal(backend.requests.length, 3, 'one session for both requests');
    session.dispose();
  });

  it('refreshes before expiry with the old secret as bearer', async () => {
    backend.requests.length = 0;
    backend.state.sessionTtlMs = 6_000; // refresh margin 5 s → refresh after ~1 s
    const { session } = setup(backend);
    const secret = await session.getSecret();
    await new Promise((resolve) => setTimeout(resolve, 1_400));
    const refresh = backend.requests.find((r) => r.path === '/api/chatkit/session/refresh');
    assert.ok(refresh, 'refresh was called by the timer');
    assert.equal(refresh.headers.authorization, `Bearer ${secret}`);
    assert.notEqual(await session.getSecret(), secret);
    session.dispose();
    backend.state.sessionTtlMs = 30 * 60_000;
  });

  it('creates a new session when refresh fails', async () => {
    backend.requests.length = 0;
    backend.state.refreshFails = true;
    const { session } = setup(backend);
    const secret = await session.getSecret();
    const renewed = await session.refresh();
    assert.notEqual(renewed.clientSecret, secret);
    assert.deepEqual(backend.requests.map((r) => r.path), ['/api/chatkit/session', '/api/chatkit/session/refresh', '/api/chatkit/session']);
    backend.state.refreshFails = false;
    session.dispose();
  });

  it('starts a new session and retries once when the backend answers 401', async () => {
    const { session, tutorFetch } = setup(backend);
    const secret = (await session.getSecret())!;
    backend.state.revoked.add(secret);
    backend.requests.length = 0;
    const response = await tutorFetch(`${backend.origin}/api/chatkit`, { method: 'POST', body: '{"type":"threads.get_by_id","params":{"thread_id":"thr_1"}}' });
    assert.equal(response.status, 200);
    assert.deepEqual(backend.requests.map((r) => [r.path, r.headers.authorization]), [
      ['/api/chatkit', `Bearer ${secret}`],
      ['/api/chatkit/session', undefined],
      ['/api/chatkit', `Bearer ${session.session!.clientSecret}`],
    ]);
    session.dispose();
  });

  it('keeps the session across a reload through its storage, and drops it on invalidate', async () => {
    let saved: SessionInfo | null = null;
    const storage = { load: () => saved, save: (info: SessionInfo | null) => void (saved = info) };
    const make = () =>
      new SessionManager({ sessionEndpoint: `${backend.origin}/api/chatkit/session`, refreshEndpoint: null, fetch, getContext: () => context, getStudent: () => null, defaultLevel: 'beginner', storage });
    const first = make();
    const secret = await first.getSecret();
    first.dispose();
    backend.requests.length = 0;
    const reloaded = make();
    assert.equal(await reloaded.getSecret(), secret, 'same session after a reload');
    assert.equal(backend.requests.length, 0, 'no new session was created');
    reloaded.invalidate();
    assert.equal(saved, null);
    saved = { clientSecret: 'sk_old', sessionId: 's', expiresAt: Date.now() - 1 };
    const expired = make();
    assert.notEqual(await expired.getSecret(), 'sk_old', 'an expired stored session is not reused');
    expired.dispose();
  });

  it('recognises message sends (to clear the highlight after one question)', () => {
    assert.ok(isMessageSend({ body: JSON.stringify({ type: 'threads.create', params: {} }) }));
    assert.ok(isMessageSend({ body: '{"type": "threads.add_user_message"}' }));
    assert.ok(!isMessageSend({ body: '{"type":"threads.get_by_id"}' }));
    assert.ok(!isMessageSend(undefined));
  });
});

describe('ChatClient (fallback panel protocol) over HTTP', () => {
  const events = [
    { type: 'thread.created', thread: { id: 'thr_new', status: { type: 'active' }, items: { data: [], has_more: false } } },
    { type: 'thread.item.done', item: { id: 'msg_u', type: 'user_message', content: [{ type: 'input_text', text: 'Why?' }], attachments: [], quoted_text: 'perceive', inference_options: {} } },
    { type: 'thread.item.added', item: { id: 'msg_a', type: 'assistant_message', content: [] } },
    ...'Perceive → décide → act 🚀'.split(' ').map((word, i) => ({ type: 'thread.item.updated', item_id: 'msg_a', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: (i ? ' ' : '') + word } })),
    { type: 'thread.item.done', item: { id: 'msg_a', type: 'assistant_message', content: [{ type: 'output_text', text: 'Perceive → décide → act 🚀', annotations: [{ type: 'annotation', source: { type: 'url', url: '/docs/a#the-loop', title: 'The loop' } }] }] } },
  ];
  let backend: Awaited<ReturnType<typeof startBackend>>;
  before(async () => {
    backend = await startBackend({ sse: sse(events), chunkSizes: [5, 1, 13, 2, 64] });
  });
  after(() => backend.close());

  it('sends threads.create with the exact input shape and parses the split stream', async () => {
    backend.requests.length = 0;
    const { client, session } = setup(backend);
    let state = EMPTY_THREAD;
    for await (const event of client.send(null, 'Why?', 'perceive')) state = applyEvent(state, event);
    const protocol = backend.requests.filter((r) => r.path === '/api/chatkit');
    assert.deepEqual(protocol[0]!.body, {
      type: 'threads.create',
      params: { input: { content: [{ type: 'input_text', text: 'Why?' }], attachments: [], quoted_text: 'perceive', inference_options: {} } },
    });
    assert.equal(protocol[0]!.headers.accept, 'text/event-stream');
    assert.equal(state.threadId, 'thr_new');
    assert.equal(messageText(state.messages[1]!), 'Perceive → décide → act 🚀');
    assert.equal(state.messages[1]!.done, true);
    assert.deepEqual(messageCitations(state.messages[1]!), [{ url: '/docs/a#the-loop', title: 'The loop' }]);

    for await (const event of client.send('thr_new', 'And then?', null)) state = applyEvent(state, event);
    assert.deepEqual(backend.requests.filter((r) => r.path === '/api/chatkit')[1]!.body, {
      type: 'threads.add_user_message',
      params: { thread_id: 'thr_new', input: { content: [{ type: 'input_text', text: 'And then?' }], attachments: [], quoted_text: null, inference_options: {} } },
    });
    session.dispose();
  });

  it('reloads a thread with threads.get_by_id and reports 404 as an HTTP error', async () => {
    const { client, session } = setup(backend);
    const state = threadFromJson(await client.getThread('thr_1'));
    assert.deepEqual(state.messages.map((m) => messageText(m)), ['Earlier question', 'Earlier answer']);
    await assert.rejects(client.getThread('thr_gone'), (error: unknown) => error instanceof TutorHttpError && error.status === 404);
    session.dispose();
  });

  it('reloads a long thread whole, paging on with items.list as the server asks', async () => {
    const { client, session } = setup(backend);
    const state = threadFromJson(await client.getThread('thr_long'));
    assert.deepEqual(state.messages.map((m) => messageText(m)), [0, 1, 2, 3, 4].map((n) => `Message ${n}`));
    session.dispose();
  });

  it('turns 429 into a readable message with the retry delay', async () => {
    backend.state.rateLimited = true;
    const { client, session } = setup(backend);
    await assert.rejects(
      (async () => {
        for await (const _ of client.send(null, 'Hi', null)) void _;
      })(),
      (error: unknown) => error instanceof TutorHttpError && error.status === 429 && error.message === 'You are sending messages too quickly. Try again in 42 seconds.',
    );
    backend.state.rateLimited = false;
    session.dispose();
  });
});
