/**
 * The question box: the quoted highlight, the textarea and Send (or Stop while streaming).
 * Focus stays in the textarea after a send, whether by Enter, a click or a tap, so the reader
 * never falls back to the top of the page.
 */
import React, { forwardRef, type FormEvent, type KeyboardEvent, type ReactNode } from 'react';

const QUOTE_PREVIEW_CHARS = 280;

interface Props {
  draft: string;
  quote: string | null;
  placeholder: string;
  disclaimer: string | null | undefined;
  streaming: boolean;
  /** A stored thread is loading: typing now would be overwritten. */
  loading: boolean;
  onDraft(text: string): void;
  onRemoveQuote(): void;
  onSend(): void;
  onStop(): void;
}

const Composer = forwardRef<HTMLTextAreaElement, Props>(function Composer(props, composerRef): ReactNode {
  const { draft, quote, placeholder, disclaimer, streaming, loading, onDraft, onRemoveQuote, onSend, onStop } = props;
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    onSend();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      onSend();
    }
  };
  return (
    <form className="tutorgpt-composer" onSubmit={onSubmit}>
      {quote && (
        <div className="tutorgpt-quote" data-tutorgpt="quote">
          <span className="tutorgpt-quote-label">Quoted from this page</span>
          <blockquote>{quote.length > QUOTE_PREVIEW_CHARS ? `${quote.slice(0, QUOTE_PREVIEW_CHARS)}…` : quote}</blockquote>
          <button type="button" className="tutorgpt-icon-button" aria-label="Remove the quote" onClick={onRemoveQuote}>
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
          disabled={loading}
          placeholder={loading ? 'Loading the conversation…' : placeholder}
          onChange={(event) => onDraft(event.target.value)}
          onKeyDown={onKeyDown}
        />
        {streaming ? (
          <button type="button" className="tutorgpt-send" data-tutorgpt="stop" onClick={onStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="tutorgpt-send" data-tutorgpt="send" disabled={loading || !draft.trim()}>
            Send
          </button>
        )}
      </div>
      {disclaimer && <p className="tutorgpt-disclaimer">{disclaimer}</p>}
    </form>
  );
});

export default Composer;
