/**
 * The conversation log (`role=log`, busy while an answer streams): start screen, messages and
 * banners. It scrolls on its own and keeps wheel scrolling from leaking to the page behind.
 */
import React, { forwardRef, type MouseEvent, type ReactNode } from 'react';
import { isNearEnd } from '../../client/scroll';
import type { Banner } from '../../client/thread';
import type { PanelThread } from '../../client/threadReducer';
import type { TutorClientConfig } from '../../content/types';
import Markdown from './Markdown';
import MessageView from './MessageView';

interface Props {
  thread: PanelThread;
  ui: TutorClientConfig['ui'];
  onPrompt(prompt: string): void;
  onRetry(clientId: string): void;
  onLinkClick(event: MouseEvent<HTMLDivElement>): void;
  onAtEnd(atEnd: boolean): void;
}

function BannerView({ banner }: { banner: Banner }): ReactNode {
  if (banner.kind === 'error') {
    return (
      <div className="tutorgpt-banner tutorgpt-banner--error" data-tutorgpt="error" role="alert">
        {banner.message}
      </div>
    );
  }
  return (
    <div className={`tutorgpt-banner tutorgpt-banner--${banner.level}`} data-tutorgpt="notice" role="status">
      {banner.title && <strong>{banner.title}: </strong>}
      <Markdown text={banner.message} />
    </div>
  );
}

function StartScreen({ ui, onPrompt }: Pick<Props, 'ui' | 'onPrompt'>): ReactNode {
  return (
    <div className="tutorgpt-start">
      {ui.greeting && <p>{ui.greeting}</p>}
      {ui.starterPrompts.length > 0 && (
        <ul className="tutorgpt-prompts">
          {ui.starterPrompts.map((prompt) => (
            <li key={prompt.label}>
              <button type="button" onClick={() => onPrompt(prompt.prompt)}>
                {prompt.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

const MessageList = forwardRef<HTMLDivElement, Props>(function MessageList(props, logRef): ReactNode {
  const { thread, ui, onPrompt, onRetry, onLinkClick, onAtEnd } = props;
  const empty = thread.messages.length === 0 && !thread.loading;
  return (
    <div
      className="tutorgpt-log"
      ref={logRef}
      role="log"
      aria-live="polite"
      aria-busy={thread.streaming}
      tabIndex={0}
      aria-label="Conversation"
      onClick={onLinkClick}
      onScroll={(event) => onAtEnd(isNearEnd(event.currentTarget))}
    >
      {thread.loading && <p className="tutorgpt-muted">Loading the conversation…</p>}
      {empty && <StartScreen ui={ui} onPrompt={onPrompt} />}
      {thread.messages.map((message) => (
        <MessageView key={message.clientId ?? message.id} message={message} onRetry={onRetry} busy={thread.streaming} />
      ))}
      {thread.banners.map((banner, i) => (
        <BannerView key={i} banner={banner} />
      ))}
    </div>
  );
});

export default MessageList;
