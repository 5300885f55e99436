/**
 * The fallback panel: TutorGPT's own accessible chat surface speaking the ChatKit protocol
 * (create thread, add message, SSE stream, reload by id). Used when the ChatKit CDN script is
 * blocked or absent (air-gapped sites, CI) or when a site asks for it.
 */
import React, { useCallback, useEffect, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type MouseEvent, type ReactNode } from 'react';
import { ChatClient } from '../../client/chatClient';
import { describeError, TutorHttpError } from '../../client/http';
import { anchorOf, inAppPath } from '../../client/links';
import { isNearEnd, scrollToEnd } from '../../client/scroll';
import { readJson, writeJson } from '../../client/storage';
import {
  applyEvent,
  EMPTY_THREAD,
  finishStream,
  messageCitations,
  messageText,
  threadFromJson,
  type Banner,
  type ThreadState,
} from '../../client/thread';
import Markdown from './Markdown';
import { THREAD_STORAGE_KEY, type SurfaceProps } from './surface';

function errorBanner(message: string): Banner {
  return { kind: 'error', level: 'error', title: null, message, allowRetry: false };
}

const QUOTE_PREVIEW_CHARS = 280;

export default function FallbackChat({ config, fetch, action, visible, onNavigate }: SurfaceProps): ReactNode {
  const client = useMemo(() => new ChatClient(config.backendUrl, fetch), [config.backendUrl, fetch]);
  const [thread, setThread] = useState<ThreadState>(EMPTY_THREAD);
  const [draft, setDraft] = useState('');
  const [quote, setQuote] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const abortRef = useRef<AbortController | null>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const threadIdRef = useRef<string | null>(null);
  threadIdRef.current = thread.threadId;

  // After a reload, bring the stored thread back with threads.get_by_id.
  useEffect(() => {
    const stored = readJson<string>(THREAD_STORAGE_KEY);
    if (!stored) return;
    const controller = new AbortController();
    setLoading(true);
    client
      .getThread(stored, controller.signal)
      .then((json) => setThread(threadFromJson(json)))
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof TutorHttpError && (error.status === 404 || error.status === 403)) {
          writeJson(THREAD_STORAGE_KEY, null); // gone or not ours: start fresh, quietly
        } else {
          setThread((t) => ({ ...t, banners: [...t.banners, errorBanner(`Could not load the earlier conversation. ${describeError(error)}`)] }));
        }
      })
      .finally(() => setLoading(false));
    return () => controller.abort();
  }, [client]);

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

  // Only the message list scrolls (the panel itself never does, see styles.ts), and only while
  // the reader is at its end: someone scrolled up to reread is not pulled down by the stream.
  const followEnd = useRef(true);
  useEffect(() => {
    const log = logRef.current;
    if (log && visible && followEnd.current) scrollToEnd(log);
  }, [thread.messages, thread.status, thread.banners, visible]);

  useEffect(() => {
    if (visible) composerRef.current?.focus({ preventScroll: true });
  }, [visible]);

  const send = useCallback(
    async (text: string, quoted: string | null) => {
      const message = text.trim();
      if (!message || abortRef.current) return;
      const controller = new AbortController();
      abortRef.current = controller;
      followEnd.current = true;
      setDraft('');
      setQuote(null);
      setThread((t) => ({
        ...t,
        streaming: true,
        banners: [],
        messages: [...t.messages, { id: `local_${Date.now()}`, role: 'user', parts: [{ text: message, citations: [] }], quote: quoted, done: true }],
      }));
      try {
        for await (const event of client.send(threadIdRef.current, message, quoted, controller.signal)) {
          setThread((t) => applyEvent(t, event));
        }
      } catch (error) {
        if (!controller.signal.aborted) setThread((t) => ({ ...t, banners: [...t.banners, errorBanner(describeError(error))] }));
      } finally {
        abortRef.current = null;
        setThread(finishStream);
      }
    },
    [client],
  );

  // Actions from the launcher / highlight button: prefill (default) or send right away.
  const handledAction = useRef(0);
  useEffect(() => {
    if (!action || action.id === handledAction.current) return;
    handledAction.current = action.id;
    if (action.kind === 'send') {
      void send(action.text, action.quote);
      return;
    }
    setQuote(action.quote);
    setDraft(action.text);
    requestAnimationFrame(() => {
      const composer = composerRef.current;
      if (!composer) return;
      composer.focus({ preventScroll: true });
      composer.setSelectionRange(composer.value.length, composer.value.length);
    });
  }, [action, send]);

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    void send(draft, quote);
  };

  const onComposerKey = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send(draft, quote);
    }
  };

  const newThread = () => {
    abortRef.current?.abort();
    forgetThread.current = true;
    setThread(EMPTY_THREAD);
    setQuote(null);
    followEnd.current = true;
    composerRef.current?.focus({ preventScroll: true });
  };

  const onLogClick = (event: MouseEvent<HTMLDivElement>) => {
    if (!onNavigate) return;
    const anchor = anchorOf(event.target, event.currentTarget);
    const path = anchor && inAppPath(anchor, event, window.location.origin);
    if (!path) return;
    event.preventDefault();
    onNavigate(path);
  };

  const empty = thread.messages.length === 0 && !loading;
  return (
    <div className="tutorgpt-chat">
      <div className="tutorgpt-toolbar">
        <span className="tutorgpt-thread-title" title={thread.title ?? undefined}>
          {thread.title ?? 'New conversation'}
        </span>
        <button type="button" className="tutorgpt-link-button" data-tutorgpt="new-thread" onClick={newThread}>
          New chat
        </button>
      </div>
      <div
        className="tutorgpt-log"
        ref={logRef}
        role="log"
        aria-live="polite"
        aria-busy={thread.streaming}
        tabIndex={0}
        aria-label="Conversation"
        onClick={onLogClick}
        onScroll={(event) => {
          followEnd.current = isNearEnd(event.currentTarget);
        }}
      >
        {loading && <p className="tutorgpt-muted">Loading the conversation…</p>}
        {empty && (
          <div className="tutorgpt-start">
            {config.ui.greeting && <p>{config.ui.greeting}</p>}
            {config.ui.starterPrompts.length > 0 && (
              <ul className="tutorgpt-prompts">
                {config.ui.starterPrompts.map((prompt) => (
                  <li key={prompt.label}>
                    <button type="button" onClick={() => void send(prompt.prompt, quote)}>
                      {prompt.label}
                    </button>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {thread.messages.map((message) => {
          const citations = message.role === 'assistant' ? messageCitations(message) : [];
          return (
            <div
              key={message.id}
              className={`tutorgpt-message tutorgpt-message--${message.role}`}
              data-tutorgpt="message"
              data-role={message.role}
              data-done={message.done ? 'true' : 'false'}
            >
              <span className="tutorgpt-visually-hidden">{message.role === 'user' ? 'You said:' : 'TutorGPT said:'}</span>
              {message.quote && <blockquote className="tutorgpt-message-quote">{message.quote}</blockquote>}
              {message.role === 'assistant' ? <Markdown text={messageText(message)} /> : <p>{messageText(message)}</p>}
              {citations.length > 0 && (
                <div className="tutorgpt-citations">
                  <span>Sources:</span>
                  <ul>
                    {citations.map((citation) => (
                      <li key={citation.url}>
                        <a data-tutorgpt="citation" href={citation.url}>
                          {citation.title}
                        </a>
                      </li>
                    ))}
                  </ul>
                </div>
              )}
            </div>
          );
        })}
        {thread.status && (
          <p className="tutorgpt-status" role="status">
            {thread.status}
          </p>
        )}
        {thread.banners.map((banner, i) =>
          banner.kind === 'error' ? (
            <div key={i} className="tutorgpt-banner tutorgpt-banner--error" data-tutorgpt="error" role="alert">
              {banner.message}
            </div>
          ) : (
            <div key={i} className={`tutorgpt-banner tutorgpt-banner--${banner.level}`} data-tutorgpt="notice" role="status">
              {banner.title && <strong>{banner.title}: </strong>}
              <Markdown text={banner.message} />
            </div>
          ),
        )}
      </div>
      <form className="tutorgpt-composer" onSubmit={onSubmit}>
        {quote && (
          <div className="tutorgpt-quote" data-tutorgpt="quote">
            <span className="tutorgpt-quote-label">Quoted from this page</span>
            <blockquote>{quote.length > QUOTE_PREVIEW_CHARS ? `${quote.slice(0, QUOTE_PREVIEW_CHARS)}…` : quote}</blockquote>
            <button type="button" className="tutorgpt-icon-button" aria-label="Remove the quote" onClick={() => setQuote(null)}>
              ×
            </button>
          </div>
        )}
        <label className="tutorgpt-visually-hidden" htmlFor="tutorgpt-composer">
          Your question
        </label>
        <div className="tutorgpt-composer-row">
          <textarea
            id="tutorgpt-composer"
            ref={composerRef}
            data-tutorgpt="composer"
            rows={2}
            value={draft}
            placeholder={config.ui.placeholder}
            onChange={(event) => setDraft(event.target.value)}
            onKeyDown={onComposerKey}
          />
          {thread.streaming ? (
            <button type="button" className="tutorgpt-send" onClick={() => abortRef.current?.abort()}>
              Stop
            </button>
          ) : (
            <button type="submit" className="tutorgpt-send" data-tutorgpt="send" disabled={!draft.trim()}>
              Send
            </button>
          )}
        </div>
        {config.ui.disclaimer && <p className="tutorgpt-disclaimer">{config.ui.disclaimer}</p>}
      </form>
    </div>
  );
}
