/**
 * The fallback panel's conversation as one reducer (React's `useReducer` runs it), so every
 * change to the thread is a named action tested without a browser: optimistic sends with client
 * ids, failures that keep the question, retries that send it once, loads that never overwrite.
 */
import { applyEvent, EMPTY_THREAD, finishStream, threadFromJson, type Banner, type ChatMessage, type ThreadState } from './thread';

export interface PanelThread extends ThreadState {
  /** A stored thread is loading: the composer waits so the load cannot overwrite the reader. */
  loading: boolean;
}

export const EMPTY_PANEL_THREAD: PanelThread = { ...EMPTY_THREAD, loading: false };

export type ThreadAction =
  | { type: 'load_started' }
  | { type: 'loaded'; thread: unknown }
  | { type: 'load_failed'; message: string | null }
  | { type: 'send'; clientId: string; text: string; quote: string | null }
  | { type: 'retry'; clientId: string }
  | { type: 'event'; event: unknown }
  | { type: 'send_failed'; clientId: string; message: string }
  | { type: 'finished' }
  | { type: 'reset' };

export function errorBanner(message: string): Banner {
  return { kind: 'error', level: 'error', title: null, message, allowRetry: false };
}

/** The reader's message as shown at once, before the server has it. */
export function optimisticMessage(clientId: string, text: string, quote: string | null): ChatMessage {
  return { id: clientId, clientId, role: 'user', parts: [{ text, citations: [] }], quote, done: true, failure: null };
}

/** A failed send keeps its question with the reason; after the echo it becomes a banner. */
function sendFailed(state: PanelThread, clientId: string, message: string): PanelThread {
  const kept = state.messages.some((m) => m.clientId === clientId);
  if (!kept) return { ...state, banners: [...state.banners, errorBanner(message)] };
  return { ...state, messages: state.messages.map((m) => (m.clientId === clientId ? { ...m, failure: message } : m)) };
}

function retry(state: PanelThread, clientId: string): PanelThread {
  const message = state.messages.find((m) => m.clientId === clientId);
  if (!message) return state;
  // Moved to the end: the answer to a retried question belongs after it.
  const rest = state.messages.filter((m) => m !== message);
  return { ...state, streaming: true, banners: [], sendingClientId: clientId, messages: [...rest, { ...message, failure: null }] };
}

export function threadReducer(state: PanelThread, action: ThreadAction): PanelThread {
  switch (action.type) {
    case 'load_started':
      return { ...state, loading: true };
    case 'loaded': {
      // Anything already in the panel (an auto-sent highlight) stays after the stored conversation.
      const stored = threadFromJson(action.thread);
      return { ...state, threadId: stored.threadId, title: stored.title, loading: false, messages: [...stored.messages, ...state.messages] };
    }
    case 'load_failed':
      return { ...state, loading: false, banners: action.message ? [...state.banners, errorBanner(action.message)] : state.banners };
    case 'send':
      return {
        ...state,
        streaming: true,
        banners: [],
        sendingClientId: action.clientId,
        messages: [...state.messages, optimisticMessage(action.clientId, action.text, action.quote)],
      };
    case 'retry':
      return retry(state, action.clientId);
    case 'event':
      return { ...state, ...applyEvent(state, action.event) };
    case 'send_failed':
      return sendFailed(state, action.clientId, action.message);
    case 'finished':
      return { ...state, ...finishStream(state) };
    case 'reset':
      return EMPTY_PANEL_THREAD;
  }
}

/** True while the tutor works and no answer text is on screen yet (the progress element shows). */
export function awaitingAnswer(state: ThreadState): boolean {
  if (!state.streaming) return false;
  const last = state.messages.at(-1);
  return !last || last.role !== 'assistant' || last.parts.every((part) => part.text === '');
}
