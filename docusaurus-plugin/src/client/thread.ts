/**
 * The fallback panel's conversation state and how ChatKit stream events change it.
 *
 * Pure functions over plain objects so the protocol handling is tested without a browser: the
 * panel only renders what {@link applyEvent} and {@link threadFromJson} return.
 */

export interface Citation {
  title: string;
  url: string;
}

export interface ContentPart {
  text: string;
  citations: Citation[];
}

export interface ChatMessage {
  id: string;
  role: 'user' | 'assistant';
  parts: ContentPart[];
  quote: string | null;
  done: boolean;
  /** Set on the reader's own message until the server echoes it (the optimistic copy). */
  clientId?: string;
  /** Why sending this (optimistic) message failed; it stays, with a Retry control. */
  failure?: string | null;
}

export interface Banner {
  kind: 'error' | 'notice';
  level: 'info' | 'warning' | 'danger' | 'error';
  title: string | null;
  message: string;
  allowRetry: boolean;
}

export interface ThreadState {
  threadId: string | null;
  title: string | null;
  messages: ChatMessage[];
  /** The latest `progress_update` text while a response streams. */
  status: string | null;
  banners: Banner[];
  streaming: boolean;
  /** The client id of the message being sent now: the server's echo replaces that one. */
  sendingClientId: string | null;
}

export const EMPTY_THREAD: ThreadState = {
  threadId: null,
  title: null,
  messages: [],
  status: null,
  banners: [],
  streaming: false,
  sendingClientId: null,
};

/** Shown for `error` events without a message (the SDK's `stream.error`). */
export const GENERIC_STREAM_ERROR = 'Something went wrong while generating the answer. Please try again.';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | null => (typeof value === 'string' ? value : null);

export function messageText(message: Pick<ChatMessage, 'parts'>): string {
  return message.parts.map((part) => part.text).join('\n\n');
}

export function messageCitations(message: Pick<ChatMessage, 'parts'>): Citation[] {
  const seen = new Set<string>();
  const out: Citation[] = [];
  for (const citation of message.parts.flatMap((part) => part.citations)) {
    if (seen.has(citation.url)) continue;
    seen.add(citation.url);
    out.push(citation);
  }
  return out;
}

function citationOf(annotation: unknown): Citation | null {
  if (!isObject(annotation) || !isObject(annotation.source)) return null;
  const url = str(annotation.source.url);
  if (!url) return null;
  return { url, title: str(annotation.source.title) || url };
}

function partOf(content: unknown): ContentPart {
  if (!isObject(content)) return { text: '', citations: [] };
  const annotations = Array.isArray(content.annotations) ? content.annotations : [];
  return {
    text: str(content.text) ?? '',
    citations: annotations.map(citationOf).filter((c): c is Citation => c !== null),
  };
}

/** A thread item as the panel shows it, or null for item types it does not render. */
export function messageFromItem(item: unknown, done: boolean): ChatMessage | null {
  if (!isObject(item)) return null;
  const id = str(item.id);
  if (!id) return null;
  const content = Array.isArray(item.content) ? item.content : [];
  if (item.type === 'user_message') {
    const text = content
      .map((part) => (isObject(part) && typeof part.text === 'string' ? part.text : ''))
      .filter(Boolean)
      .join(' ');
    return { id, role: 'user', parts: [{ text, citations: [] }], quote: str(item.quoted_text), done: true };
  }
  if (item.type === 'assistant_message') {
    return { id, role: 'assistant', parts: content.map(partOf), quote: null, done };
  }
  return null;
}

function upsert(messages: ChatMessage[], message: ChatMessage, sendingClientId: string | null): ChatMessage[] {
  const index = messages.findIndex((m) => m.id === message.id);
  if (index === -1) {
    // The server's echo of the user's message replaces the optimistic copy of *this* send,
    // found by its client id: an earlier failed question must stay where it is.
    if (message.role === 'user' && sendingClientId) {
      const pending = messages.findIndex((m) => m.clientId === sendingClientId);
      if (pending !== -1) return messages.map((m, i) => (i === pending ? message : m));
    }
    return [...messages, message];
  }
  return messages.map((m, i) => (i === index ? message : m));
}

function updatePart(message: ChatMessage, index: number, change: (part: ContentPart) => ContentPart): ChatMessage {
  const parts = [...message.parts];
  while (parts.length <= index) parts.push({ text: '', citations: [] });
  parts[index] = change(parts[index]!);
  return { ...message, parts };
}

function applyUpdate(state: ThreadState, itemId: string, update: Json): ThreadState {
  const message = state.messages.find((m) => m.id === itemId);
  if (!message) return state;
  const index = typeof update.content_index === 'number' ? update.content_index : 0;
  let next: ChatMessage = message;
  switch (update.type) {
    case 'assistant_message.content_part.added':
      next = updatePart(message, index, () => partOf(update.content));
      break;
    case 'assistant_message.content_part.text_delta':
      next = updatePart(message, index, (part) => ({ ...part, text: part.text + (str(update.delta) ?? '') }));
      break;
    case 'assistant_message.content_part.annotation_added': {
      const citation = citationOf(update.annotation);
      if (citation) next = updatePart(message, index, (part) => ({ ...part, citations: [...part.citations, citation] }));
      break;
    }
    case 'assistant_message.content_part.done':
      next = updatePart(message, index, () => partOf(update.content));
      break;
    default:
      return state;
  }
  // Text arriving means the status line ("Searching the book…") has done its job.
  return { ...state, status: null, messages: state.messages.map((m) => (m.id === itemId ? next : m)) };
}

/** Apply one stream event. Unknown events are ignored: the protocol grows by opt-in features. */
export function applyEvent(state: ThreadState, event: unknown): ThreadState {
  if (!isObject(event)) return state;
  switch (event.type) {
    case 'thread.created':
    case 'thread.updated': {
      const thread = isObject(event.thread) ? event.thread : {};
      return { ...state, threadId: str(thread.id) ?? state.threadId, title: str(thread.title) ?? state.title };
    }
    case 'thread.item.added':
    case 'thread.item.done':
    case 'thread.item.replaced': {
      const message = messageFromItem(event.item, event.type !== 'thread.item.added');
      if (!message) return state;
      const echoed = message.role === 'user' && state.messages.some((m) => m.clientId === state.sendingClientId);
      return { ...state, messages: upsert(state.messages, message, state.sendingClientId), sendingClientId: echoed ? null : state.sendingClientId };
    }
    case 'thread.item.removed':
      return { ...state, messages: state.messages.filter((m) => m.id !== event.item_id) };
    case 'thread.item.updated':
      return isObject(event.update) && typeof event.item_id === 'string' ? applyUpdate(state, event.item_id, event.update) : state;
    case 'progress_update':
      return { ...state, status: str(event.text) };
    case 'error':
      return {
        ...state,
        status: null,
        banners: [
          ...state.banners,
          {
            kind: 'error',
            level: 'error',
            title: null,
            message: str(event.message) || GENERIC_STREAM_ERROR,
            allowRetry: event.allow_retry === true,
          },
        ],
      };
    case 'notice': {
      const level = event.level === 'warning' || event.level === 'danger' ? event.level : 'info';
      return {
        ...state,
        banners: [...state.banners, { kind: 'notice', level, title: str(event.title), message: str(event.message) ?? '', allowRetry: false }],
      };
    }
    default:
      return state;
  }
}

/** The stream ended (normally or not): nothing is still "being written". */
export function finishStream(state: ThreadState): ThreadState {
  return {
    ...state,
    streaming: false,
    status: null,
    sendingClientId: null,
    messages: state.messages.map((m) => (m.done ? m : { ...m, done: true })),
  };
}

/** A `threads.get_by_id` response → the state shown after a reload. */
export function threadFromJson(thread: unknown): ThreadState {
  if (!isObject(thread) || typeof thread.id !== 'string') throw new Error('The chat server returned no thread.');
  const page = isObject(thread.items) && Array.isArray(thread.items.data) ? thread.items.data : [];
  return {
    ...EMPTY_THREAD,
    threadId: thread.id,
    title: str(thread.title),
    messages: page.map((item) => messageFromItem(item, true)).filter((m): m is ChatMessage => m !== null),
  };
}
