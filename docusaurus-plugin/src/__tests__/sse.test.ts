import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SseParseError, SseParser } from '../client/sse';

const EVENTS = [
  { type: 'thread.created', thread: { id: 'thr_1', title: null } },
  { type: 'progress_update', icon: 'search', text: 'Searching the book…' },
  { type: 'thread.item.updated', item_id: 'msg_1', update: { type: 'assistant_message.content_part.text_delta', content_index: 0, delta: 'Grüße 👋 "quoted"\n' } },
  { type: 'notice', level: 'info', message: '**Note**' },
];

function wire(newline: string): Uint8Array {
  return new TextEncoder().encode(EVENTS.map((e) => `data: ${JSON.stringify(e)}${newline}${newline}`).join(''));
}

function parseInChunks(bytes: Uint8Array, cuts: number[]): unknown[] {
  const parser = new SseParser();
  const events: unknown[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    events.push(...parser.push(bytes.subarray(start, cut)));
    start = cut;
  }
  events.push(...parser.end());
  return events;
}

describe('SseParser', () => {
  it('parses the stream whole', () => {
    assert.deepEqual(parseInChunks(wire('\n'), []), EVENTS);
  });

  for (const [name, newline] of [['LF', '\n'], ['CRLF', '\r\n'], ['CR', '\r']] as const) {
    it(`parses every single split point (${name}), including inside multi-byte characters`, () => {
      const bytes = wire(newline);
      for (let cut = 1; cut < bytes.length; cut++) {
        assert.deepEqual(parseInChunks(bytes, [cut]), EVENTS, `split at byte ${cut}`);
      }
    });
  }

  it('parses byte-by-byte delivery', () => {
    const bytes = wire('\r\n');
    assert.deepEqual(parseInChunks(bytes, Array.from({ length: bytes.length - 1 }, (_, i) => i + 1)), EVENTS);
  });

  it('emits an event only once its blank line arrives, and flushes a final unterminated one', () => {
    const parser = new SseParser();
    assert.deepEqual(parser.push('data: {"a":1}\n'), []);
    assert.deepEqual(parser.push('\ndata: {"b":2}'), [{ a: 1 }]);
    assert.deepEqual(parser.end(), [{ b: 2 }]);
  });

  it('ignores comments, other fields and joins multi-line data', () => {
    const parser = new SseParser();
    const events = parser.push(': keep-alive\nevent: message\nid: 7\nretry: 10\ndata: {"a":\ndata: 1}\n\n');
    assert.deepEqual(events, [{ a: 1 }]);
  });

  it('raises a clear error for non-JSON data', () => {
    assert.throws(() => new SseParser().push('data: not json\n\n'), SseParseError);
  });
});
