import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyEvent, EMPTY_THREAD, finishStream, GENERIC_STREAM_ERROR, messageCitations, messageText, threadFromJson, type ThreadState } from '../client/thread';

const TURN = [
  { type: 'thread.created', thread: { id: 'thr_2d59', created_at: '2026-11-28T15:57:19Z', status: { type: 'active' }, metadata: {}, items: { data: [], has_more: false } } },
  { type: 'thread.item.done', item: { id: 'msg_e04b', thread_id: 'thr_2d59', created_at: 'x', type: 'user_message', content: [{ type: 'input_text', text: 'Hi' }], attachments: [], quoted_text: 'the loop', inference_options: {} } },
  { type: 'stream_options', stream_options: { allow_cancel: true } },
  { type: 'progress_update', icon: 'search', text: 'Searching the book...' },
  { type: 'thread.item.added', item: { id: 'msg_0c1e', thread_id: 'thr_2d59', created_at: 'x', type: 'assistant_message', content: [] } },
  { type: 'thread.item.updated', item_id: 'msg_0c1e', update: { type: 'assistant_message.content_part.added', content_index: 0, content: { annotations: [], text: '', type: 'output_text' } } },
  { type: 'thread.item.updated', item_id: 'msg_0c1e', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'Hel' } },
  { type: 'thread.item.updated', item_id: 'msg_0c1e', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'lo' } },
];
const DONE = [
  { type: 'thread.item.updated', item_id: 'msg_0c1e', update: { type: 'assistant_message.content_part.done', content_index: 0, content: { annotations: [{ type: 'annotation', source: { title: 'Ch 1', type: 'url', url: 'https://book/ch1#loop' }, index: 5 }, { type: 'annotation', source: { title: 'Ch 1 again', type: 'url', url: 'https://book/ch1#loop' } }], text: 'Hello', type: 'output_text' } } },
  { type: 'thread.item.done', item: { id: 'msg_0c1e', thread_id: 'thr_2d59', created_at: 'x', type: 'assistant_message', content: [{ annotations: [{ type: 'annotation', source: { title: 'Ch 1', type: 'url', url: 'https://book/ch1#loop' }, index: 5 }], text: 'Hello', type: 'output_text' }] } },
  { type: 'thread.updated', thread: { id: 'thr_2d59', title: 'Greeting' } },
];

const run = (events: unknown[], start: ThreadState = EMPTY_THREAD) => events.reduce<ThreadState>(applyEvent, start);

describe('applyEvent', () => {
  it('follows a threads.create turn: thread id, user echo, streaming text, citations, title', () => {
    const optimistic: ThreadState = { ...EMPTY_THREAD, streaming: true, sendingClientId: 'local_1', messages: [{ id: 'local_1', clientId: 'local_1', role: 'user', parts: [{ text: 'Hi', citations: [] }], quote: 'the loop', done: true }] };
    const midway = run(TURN, optimistic);
    assert.equal(midway.threadId, 'thr_2d59');
    assert.deepEqual(midway.messages.map((m) => m.id), ['msg_e04b', 'msg_0c1e'], 'the echo replaced the optimistic copy');
    assert.equal(midway.messages[0]!.quote, 'the loop');
    assert.equal(messageText(midway.messages[1]!), 'Hello');
    assert.equal(midway.messages[1]!.done, false);
    assert.equal(midway.status, null, 'text arriving clears the progress line');

    const end = run(DONE, midway);
    const answer = end.messages[1]!;
    assert.equal(answer.done, true);
    assert.deepEqual(messageCitations(answer), [{ title: 'Ch 1', url: 'https://book/ch1#loop' }]);
    assert.equal(end.title, 'Greeting');
  });

  it('shows the progress line until text arrives', () => {
    const state = run(TURN.slice(0, 4));
    assert.equal(state.status, 'Searching the book...');
  });

  it('collects annotations streamed one by one', () => {
    const state = run([
      ...TURN.slice(4, 6),
      { type: 'thread.item.updated', item_id: 'msg_0c1e', update: { type: 'assistant_message.content_part.annotation_added', content_index: 0, annotation_index: 0, annotation: { type: 'annotation', source: { type: 'url', url: '/docs/a#b', title: 'Lesson A' } } } },
      { type: 'thread.item.updated', item_id: 'msg_0c1e', update: { type: 'assistant_message.content_part.annotation_added', content_index: 0, annotation_index: 1, annotation: { type: 'annotation', source: { type: 'file', filename: 'x' } } } },
    ]);
    assert.deepEqual(messageCitations(state.messages[0]!), [{ title: 'Lesson A', url: '/docs/a#b' }]);
  });

  it('shows error events (custom message, or a generic one) and notices', () => {
    const state = run([
      { type: 'error', code: 'custom', message: 'The model is busy.', allow_retry: true },
      { type: 'error', code: 'stream.error', allow_retry: true },
      { type: 'notice', level: 'warning', title: 'Quota', message: 'You have **2** questions left.' },
      { type: 'notice', level: 'bogus', message: 'x' },
    ]);
    assert.deepEqual(state.banners.map((b) => [b.kind, b.level, b.message]), [
      ['error', 'error', 'The model is busy.'],
      ['error', 'error', GENERIC_STREAM_ERROR],
      ['notice', 'warning', 'You have **2** questions left.'],
      ['notice', 'info', 'x'],
    ]);
    assert.equal(state.banners[2]!.title, 'Quota');
  });

  it('removes and replaces items, and ignores unknown events and updates', () => {
    let state = run(TURN);
    state = applyEvent(state, { type: 'thread.item.replaced', item: { id: 'msg_0c1e', type: 'assistant_message', content: [{ type: 'output_text', text: 'Replaced', annotations: [] }] } });
    assert.equal(messageText(state.messages[1]!), 'Replaced');
    const before = state;
    for (const odd of [null, 42, { type: 'client_effect', name: 'x' }, { type: 'thread.item.updated', item_id: 'msg_0c1e', update: { type: 'workflow.task.added' } }, { type: 'thread.item.added', item: { id: 'w', type: 'widget' } }]) {
      state = applyEvent(state, odd);
    }
    assert.equal(state, before);
    state = applyEvent(state, { type: 'thread.item.removed', item_id: 'msg_0c1e' });
    assert.deepEqual(state.messages.map((m) => m.id), ['msg_e04b']);
  });

  it('finishStream marks an interrupted answer as finished', () => {
    const state = finishStream({ ...run(TURN), streaming: true });
    assert.equal(state.streaming, false);
    assert.ok(state.messages.every((m) => m.done));
  });
});

describe('threadFromJson', () => {
  it('rebuilds the conversation from threads.get_by_id', () => {
    const state = threadFromJson({
      id: 'thr_2d59',
      title: 'Greeting',
      items: { data: [TURN[1]!.item, DONE[1]!.item, { id: 'hidden', type: 'end_of_turn' }], has_more: false },
    });
    assert.equal(state.threadId, 'thr_2d59');
    assert.deepEqual(state.messages.map((m) => [m.role, messageText(m), m.done]), [['user', 'Hi', true], ['assistant', 'Hello', true]]);
    assert.deepEqual(messageCitations(state.messages[1]!), [{ title: 'Ch 1', url: 'https://book/ch1#loop' }]);
  });

  it('refuses a body that is not a thread', () => {
    assert.throws(() => threadFromJson({ error: 'nope' }), /no thread/);
  });
});
