import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { messageText } from '../client/thread';
import { awaitingAnswer, EMPTY_PANEL_THREAD, threadReducer, type PanelThread, type ThreadAction } from '../client/threadReducer';

const run = (actions: ThreadAction[], start: PanelThread = EMPTY_PANEL_THREAD) => actions.reduce(threadReducer, start);
const echo = (id: string, text: string) => ({
  type: 'event' as const,
  event: { type: 'thread.item.done', item: { id, type: 'user_message', content: [{ type: 'input_text', text }], quoted_text: null } },
});
const answer = (id: string, text: string) => ({
  type: 'event' as const,
  event: { type: 'thread.item.done', item: { id, type: 'assistant_message', content: [{ type: 'output_text', text, annotations: [] }] } },
});
const shown = (state: PanelThread) => state.messages.map((m) => [messageText(m), m.failure ? 'failed' : m.clientId ? 'sending' : 'sent']);

describe('threadReducer', () => {
  it('keeps a failed question with its reason, and the next echo replaces the right message', () => {
    const failed = run([
      { type: 'send', clientId: 'c1', text: 'A', quote: null },
      { type: 'send_failed', clientId: 'c1', message: 'Cannot reach the tutor.' },
      { type: 'finished' },
    ]);
    assert.deepEqual(shown(failed), [['A', 'failed']]);
    assert.equal(failed.messages[0]!.failure, 'Cannot reach the tutor.');
    const next = run([{ type: 'send', clientId: 'c2', text: 'B', quote: null }, echo('msg_b', 'B'), answer('msg_x', 'About B'), { type: 'finished' }], failed);
    assert.deepEqual(shown(next), [['A', 'failed'], ['B', 'sent'], ['About B', 'sent']], 'A stays, B shows once');
  });

  it('a retry sends the same message again: it shows once, moves to the end and is replaced by its echo', () => {
    const failed = run([
      { type: 'send', clientId: 'c1', text: 'A', quote: 'passage' },
      { type: 'send_failed', clientId: 'c1', message: 'down' },
      { type: 'finished' },
      { type: 'send', clientId: 'c2', text: 'B', quote: null },
      { type: 'send_failed', clientId: 'c2', message: 'down' },
      { type: 'finished' },
    ]);
    const retried = run([{ type: 'retry', clientId: 'c1' }], failed);
    assert.equal(retried.streaming, true);
    assert.deepEqual(shown(retried), [['B', 'failed'], ['A', 'sending']]);
    assert.equal(retried.messages[1]!.quote, 'passage', 'the retry keeps the quote');
    const done = run([echo('msg_a', 'A'), answer('msg_y', 'About A'), { type: 'finished' }], retried);
    assert.deepEqual(shown(done), [['B', 'failed'], ['A', 'sent'], ['About A', 'sent']]);
  });

  it('a failure after the echo (the stream broke) is a banner: the question is stored already', () => {
    const state = run([{ type: 'send', clientId: 'c1', text: 'A', quote: null }, echo('msg_a', 'A'), { type: 'send_failed', clientId: 'c1', message: 'lost' }]);
    assert.deepEqual(shown(state), [['A', 'sent']]);
    assert.deepEqual(state.banners.map((b) => b.message), ['lost']);
  });

  it('a stored thread loads under anything already on screen, and the flag gates the composer', () => {
    const loading = run([{ type: 'load_started' }]);
    assert.equal(loading.loading, true);
    const stored = { id: 'thr_1', title: 'T', items: { data: [echo('msg_1', 'old').event.item], has_more: false } };
    const loaded = run([{ type: 'loaded', thread: stored }], loading);
    assert.equal(loaded.loading, false);
    assert.equal(loaded.threadId, 'thr_1');
    assert.deepEqual(shown(loaded), [['old', 'sent']]);
    assert.equal(run([{ type: 'load_failed', message: null }], loading).loading, false);
  });

  it('keeps unchanged messages as the same objects while another one streams (no re-render, no re-parse)', () => {
    const first = run([{ type: 'send', clientId: 'c1', text: 'A', quote: null }, echo('msg_a', 'A'), answer('msg_x', 'Done **answer**'), { type: 'finished' }]);
    const streaming = run(
      [
        { type: 'send', clientId: 'c2', text: 'B', quote: null },
        { type: 'event', event: { type: 'thread.item.added', item: { id: 'msg_z', type: 'assistant_message', content: [] } } },
        { type: 'event', event: { type: 'thread.item.updated', item_id: 'msg_z', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'Hel' } } },
      ],
      first,
    );
    assert.equal(streaming.messages[1], first.messages[1], 'the finished answer object is untouched');
    assert.equal(awaitingAnswer(streaming), false, 'text arrived: the progress line goes');
    assert.equal(awaitingAnswer(run([{ type: 'send', clientId: 'c3', text: 'C', quote: null }], first)), true);
  });
});
