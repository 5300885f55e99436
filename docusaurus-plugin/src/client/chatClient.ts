/**
 * The fallback panel's side of the ChatKit protocol: one POST endpoint, JSON envelopes
 * `{type, params}`, SSE for the streaming operations and JSON for the rest.
 */
import { errorFromResponse } from './http';
import { readEvents } from './sse';

export interface UserMessageInput {
  content: { type: 'input_text'; text: string }[];
  attachments: string[];
  quoted_text: string | null;
  inference_options: Record<string, never>;
}

export function userInput(text: string, quote: string | null): UserMessageInput {
  return { content: [{ type: 'input_text', text }], attachments: [], quoted_text: quote, inference_options: {} };
}

export function createThreadRequest(text: string, quote: string | null) {
  return { type: 'threads.create', params: { input: userInput(text, quote) } };
}

export function addMessageRequest(threadId: string, text: string, quote: string | null) {
  return { type: 'threads.add_user_message', params: { thread_id: threadId, input: userInput(text, quote) } };
}

/** One page of a listing, as the protocol sends it. */
interface ItemPage {
  data?: unknown[];
  has_more?: boolean;
  after?: string | null;
}

export class ChatClient {
  constructor(
    private readonly url: string,
    private readonly fetchFn: typeof fetch,
  ) {}

  private async post(body: unknown, accept: string, signal?: AbortSignal): Promise<Response> {
    const response = await this.fetchFn(this.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: accept },
      body: JSON.stringify(body),
      signal,
    });
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  /** Send a message (creating the thread when there is none) and yield the stream's events. */
  async *send(threadId: string | null, text: string, quote: string | null, signal?: AbortSignal): AsyncGenerator<unknown> {
    const body = threadId ? addMessageRequest(threadId, text, quote) : createThreadRequest(text, quote);
    const response = await this.post(body, 'text/event-stream', signal);
    if (!response.body) throw new Error('The chat server sent an empty response.');
    const type = response.headers.get('content-type') ?? '';
    if (type.includes('application/json')) {
      // Some proxies turn stream errors into JSON: surface them as an error event.
      const json = (await response.json()) as { error?: unknown };
      yield { type: 'error', code: 'custom', message: typeof json.error === 'string' ? json.error : undefined, allow_retry: true };
      return;
    }
    yield* readEvents(response.body, signal);
  }

  /**
   * `threads.get_by_id`: the thread with all its items, for rebuilding the panel after a reload.
   * The server pages like the reference one (the oldest 20 first), so the rest is fetched with
   * `items.list` from the page's `after` and appended.
   */
  async getThread(threadId: string, signal?: AbortSignal): Promise<unknown> {
    const response = await this.post({ type: 'threads.get_by_id', params: { thread_id: threadId } }, 'application/json', signal);
    const thread = (await response.json()) as { items?: ItemPage };
    const items = thread.items;
    let page = items;
    while (items && Array.isArray(items.data) && page?.has_more && typeof page.after === 'string') {
      const params = { thread_id: threadId, order: 'asc', after: page.after, limit: 100 };
      page = (await (await this.post({ type: 'items.list', params }, 'application/json', signal)).json()) as ItemPage;
      items.data.push(...(Array.isArray(page.data) ? page.data : []));
    }
    return thread;
  }

  /** `threads.list`: the student's newest thread, to show a reader who signs in on a new device. */
  async newestThreadId(signal?: AbortSignal): Promise<string | null> {
    const response = await this.post({ type: 'threads.list', params: { limit: 1, order: 'desc' } }, 'application/json', signal);
    const page = (await response.json()) as { data?: { id?: unknown }[] };
    const id = page.data?.[0]?.id;
    return typeof id === 'string' ? id : null;
  }
}
