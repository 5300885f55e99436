/**
 * An incremental parser for the ChatKit SSE stream: `data: <json>` lines, events separated by a
 * blank line, no event names and no terminal sentinel (the end of the response ends the turn).
 * Chunks can split anywhere (mid-line, mid-UTF-8 character, between `\r` and `\n`), so bytes are
 * decoded in streaming mode and only complete events are emitted.
 */
export class SseParseError extends Error {
  readonly code = 'SSE_INVALID_JSON';
}

export class SseParser {
  private buffer = '';
  private dataLines: string[] = [];
  private readonly decoder = new TextDecoder();

  /** Feed a chunk; returns the events completed by it. */
  push(chunk: Uint8Array | string): unknown[] {
    this.buffer += typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    return this.drain(false);
  }

  /** The stream ended: flush a final event that lacked its blank line. */
  end(): unknown[] {
    this.buffer += this.decoder.decode();
    return this.drain(true);
  }

  private drain(final: boolean): unknown[] {
    const events: unknown[] = [];
    for (;;) {
      const newline = this.buffer.search(/\r\n|\r|\n/);
      if (newline === -1) break;
      // A lone trailing '\r' may be the first half of '\r\n': wait for the next chunk.
      if (this.buffer[newline] === '\r' && newline === this.buffer.length - 1 && !final) break;
      const width = this.buffer.startsWith('\r\n', newline) ? 2 : 1;
      const line = this.buffer.slice(0, newline);
      this.buffer = this.buffer.slice(newline + width);
      this.line(line, events);
    }
    if (final) {
      if (this.buffer) this.line(this.buffer, events);
      this.buffer = '';
      this.dispatch(events);
    }
    return events;
  }

  private line(line: string, events: unknown[]): void {
    if (line === '') {
      this.dispatch(events);
      return;
    }
    if (line.startsWith(':')) return; // comment / keep-alive
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    if (field !== 'data') return; // event:, id:, retry: carry nothing ChatKit uses
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    this.dataLines.push(value);
  }

  private dispatch(events: unknown[]): void {
    if (!this.dataLines.length) return;
    const data = this.dataLines.join('\n');
    this.dataLines = [];
    try {
      events.push(JSON.parse(data));
    } catch {
      throw new SseParseError(`The chat server sent an event that is not JSON: ${data.slice(0, 80)}`);
    }
  }
}

/** Read a fetch body to the end, yielding each parsed event as soon as it is complete. */
export async function* readEvents(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<unknown> {
  const parser = new SseParser();
  const reader = body.getReader();
  try {
    for (;;) {
      if (signal?.aborted) return;
      const { done, value } = await reader.read();
      if (done) break;
      for (const event of parser.push(value)) yield event;
    }
    for (const event of parser.end()) yield event;
  } finally {
    reader.releaseLock();
  }
}
