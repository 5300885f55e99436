/**
 * The fallback panel's conversation: the reducer in client/threadReducer.ts plus the effects
 * around it (loading the stored thread, sending with an optimistic copy, retrying, stopping).
 */
import { useCallback, useEffect, useMemo, useReducer, useRef } from 'react';
import { ChatClient } from '../../client/chatClient';
import { describeError, TutorHttpError } from '../../client/http';
import { readJson, writeJson } from '../../client/storage';
import { EMPTY_PANEL_THREAD, threadReducer, type PanelThread } from '../../client/threadReducer';
import { THREAD_STORAGE_KEY } from './surface';

export interface ThreadControls {
  thread: PanelThread;
  /** Send a new question; resolves when its stream has ended (answered, failed or stopped). */
  send(text: string, quote: string | null): Promise<void>;
  /** Send a failed question again (same client id: it is shown once and sent once). */
  retry(clientId: string): Promise<void>;
  stop(): void;
  reset(): void;
}

let clientCounter = 0;
const nextClientId = () => `local_${Date.now().toString(36)}_${++clientCounter}`;

function useStoredThread(client: ChatClient, dispatch: React.Dispatch<Parameters<typeof threadReducer>[1]>): void {
  // After a reload, bring the stored thread back with threads.get_by_id.
  useEffect(() => {
    const stored = readJson<string>(THREAD_STORAGE_KEY);
    if (!stored) return;
    const controller = new AbortController();
    dispatch({ type: 'load_started' });
    client
      .getThread(stored, controller.signal)
      .then((json) => dispatch({ type: 'loaded', thread: json }))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        const gone = error instanceof TutorHttpError && (error.status === 404 || error.status === 403);
        if (gone) writeJson(THREAD_STORAGE_KEY, null); // gone or not ours: start fresh, quietly
        dispatch({ type: 'load_failed', message: gone ? null : `Could not load the earlier conversation. ${describeError(error)}` });
      });
    return () => controller.abort();
  }, [client, dispatch]);
}

export function useThread(backendUrl: string, fetchFn: typeof fetch): ThreadControls {
  const client = useMemo(() => new ChatClient(backendUrl, fetchFn), [backendUrl, fetchFn]);
  const [thread, dispatch] = useReducer(threadReducer, EMPTY_PANEL_THREAD);
  const abortRef = useRef<AbortController | null>(null);
  const threadRef = useRef(thread);
  threadRef.current = thread;
  useStoredThread(client, dispatch);

  // The one writer of the stored thread id. A pending effect runs before the next render, so a
  // second writer (say in "New chat") would be overwritten by this effect's stale value.
  const forgetThread = useRef(false);
  useEffect(() => {
    if (thread.threadId) {
      writeJson(THREAD_STORAGE_KEY, thread.threadId);
    } else if (forgetThread.current) {
      forgetThread.current = false;
      writeJson(THREAD_STORAGE_KEY, null);
    }
  }, [thread.threadId]);

  const stream = useCallback(
    async (clientId: string, text: string, quote: string | null) => {
      const controller = new AbortController();
      abortRef.current = controller;
      try {
        for await (const event of client.send(threadRef.current.threadId, text, quote, controller.signal)) {
          dispatch({ type: 'event', event });
        }
      } catch (error) {
        if (!controller.signal.aborted) dispatch({ type: 'send_failed', clientId, message: describeError(error) });
      } finally {
        abortRef.current = null;
        dispatch({ type: 'finished' });
      }
    },
    [client],
  );

  const send = useCallback(
    async (text: string, quote: string | null) => {
      const message = text.trim();
      if (!message || abortRef.current || threadRef.current.loading) return;
      const clientId = nextClientId();
      dispatch({ type: 'send', clientId, text: message, quote });
      await stream(clientId, message, quote);
    },
    [stream],
  );

  const retry = useCallback(
    async (clientId: string) => {
      const failed = threadRef.current.messages.find((m) => m.clientId === clientId && m.failure);
      if (!failed || abortRef.current) return;
      dispatch({ type: 'retry', clientId });
      await stream(clientId, failed.parts.map((part) => part.text).join('\n\n'), failed.quote);
    },
    [stream],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);
  const reset = useCallback(() => {
    abortRef.current?.abort();
    forgetThread.current = true;
    dispatch({ type: 'reset' });
  }, []);

  return { thread, send, retry, stop, reset };
}
