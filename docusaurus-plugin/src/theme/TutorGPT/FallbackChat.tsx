/**
 * The fallback panel: TutorGPT's own accessible chat surface speaking the ChatKit protocol
 * (create thread, add message, SSE stream, reload by id). Used when the ChatKit CDN script is
 * blocked or absent (air-gapped sites, CI) or when a site asks for it. The conversation lives in
 * useThread; this component wires it to the log, the progress line and the composer.
 */
import React, { useCallback, useEffect, useRef, useState, type MouseEvent, type ReactNode } from 'react';
import { anchorOf, inAppPath } from '../../client/links';
import { scrollToEnd } from '../../client/scroll';
import { awaitingAnswer } from '../../client/threadReducer';
import Composer from './Composer';
import MessageList from './MessageList';
import type { SurfaceProps } from './surface';
import { useThread } from './useThread';

/**
 * Outside the busy log, so it is seen and announced while the tutor works. The live region is
 * always there (a region inserted with its text already in it is often not announced).
 */
function Progress({ active, text }: { active: boolean; text: string | null }): ReactNode {
  return (
    <div className="tutorgpt-progress-region" role="status">
      {active && (
        <div className="tutorgpt-progress" data-tutorgpt="progress">
          <span className="tutorgpt-progress-dots" aria-hidden="true" />
          {text ?? 'Thinking…'}
        </div>
      )}
    </div>
  );
}

export default function FallbackChat({ config, fetch, action, visible, onNavigate }: SurfaceProps): ReactNode {
  const { thread, send, retry, stop, reset } = useThread(config.backendUrl, fetch);
  const [draft, setDraft] = useState('');
  const [quote, setQuote] = useState<string | null>(null);
  const composerRef = useRef<HTMLTextAreaElement>(null);
  const logRef = useRef<HTMLDivElement>(null);
  const focusComposer = useCallback(() => composerRef.current?.focus({ preventScroll: true }), []);

  // Only the message list scrolls in a roomy panel, and only while the reader is at its end:
  // someone scrolled up to reread is not pulled down by the stream.
  const followEnd = useRef(true);
  useEffect(() => {
    const log = logRef.current;
    if (log && visible && followEnd.current) scrollToEnd(log);
  }, [thread.messages, thread.status, thread.banners, visible]);

  useEffect(() => {
    if (visible && !thread.loading) focusComposer();
  }, [visible, thread.loading, focusComposer]);

  const submit = useCallback(
    (text: string, quoted: string | null) => {
      if (!text.trim() || thread.streaming || thread.loading) return;
      followEnd.current = true;
      setDraft('');
      setQuote(null);
      // The Send button turns into Stop: without this, focus would fall to <body>.
      focusComposer();
      void send(text, quoted);
    },
    [send, thread.streaming, thread.loading, focusComposer],
  );

  const onRetry = useCallback(
    (clientId: string) => {
      followEnd.current = true;
      focusComposer();
      void retry(clientId);
    },
    [retry, focusComposer],
  );

  // Actions from the launcher / highlight button: prefill (default) or send right away. They
  // wait for a stored thread to load, so the load cannot replace what they start.
  const handledAction = useRef(0);
  useEffect(() => {
    if (!action || action.id === handledAction.current || thread.loading) return;
    handledAction.current = action.id;
    if (action.kind === 'send') {
      submit(action.text, action.quote);
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
  }, [action, submit, thread.loading]);

  const newThread = () => {
    reset();
    setQuote(null);
    followEnd.current = true;
    focusComposer();
  };

  const onLinkClick = (event: MouseEvent<HTMLDivElement>) => {
    if (!onNavigate) return;
    const anchor = anchorOf(event.target, event.currentTarget);
    const path = anchor && inAppPath(anchor, event, window.location.origin);
    if (!path) return;
    event.preventDefault();
    onNavigate(path);
  };

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
      <MessageList
        ref={logRef}
        thread={thread}
        ui={config.ui}
        onPrompt={(prompt) => submit(prompt, quote)}
        onRetry={onRetry}
        onLinkClick={onLinkClick}
        onAtEnd={(atEnd) => (followEnd.current = atEnd)}
      />
      <Progress active={awaitingAnswer(thread)} text={thread.status} />
      <Composer
        ref={composerRef}
        draft={draft}
        quote={quote}
        placeholder={config.ui.placeholder}
        disclaimer={config.ui.disclaimer}
        streaming={thread.streaming}
        loading={thread.loading}
        onDraft={setDraft}
        onRemoveQuote={() => setQuote(null)}
        onSend={() => submit(draft, quote)}
        onStop={stop}
      />
    </div>
  );
}
