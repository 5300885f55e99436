/**
 * One message of the conversation. Memoised: the reducer keeps an unchanged message's object,
 * so while an answer streams only that answer re-renders (and re-parses its markdown).
 */
import React, { memo, type ReactNode } from 'react';
import { messageCitations, messageText, type ChatMessage } from '../../client/thread';
import Markdown from './Markdown';

interface Props {
  message: ChatMessage;
  onRetry(clientId: string): void;
  /** Another send is under way: a retry would have to wait for it. */
  busy: boolean;
}

function Citations({ message }: { message: ChatMessage }): ReactNode {
  const citations = messageCitations(message);
  if (citations.length === 0) return null;
  return (
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
  );
}

function Failure({ message, onRetry, busy }: Props): ReactNode {
  if (!message.failure || !message.clientId) return null;
  const clientId = message.clientId;
  return (
    <div className="tutorgpt-failure" data-tutorgpt="failed" role="alert">
      <span>Not sent. {message.failure}</span>
      <button type="button" className="tutorgpt-retry" data-tutorgpt="retry" disabled={busy} onClick={() => onRetry(clientId)}>
        Retry
      </button>
    </div>
  );
}

function MessageView({ message, onRetry, busy }: Props): ReactNode {
  const sending = Boolean(message.clientId) && !message.failure;
  return (
    <div
      className={`tutorgpt-message tutorgpt-message--${message.role}${message.failure ? ' tutorgpt-message--failed' : ''}`}
      data-tutorgpt="message"
      data-role={message.role}
      data-done={message.done ? 'true' : 'false'}
      data-state={message.failure ? 'failed' : sending ? 'sending' : 'sent'}
    >
      <span className="tutorgpt-visually-hidden">{message.role === 'user' ? 'You said:' : 'TutorGPT said:'}</span>
      {message.quote && <blockquote className="tutorgpt-message-quote">{message.quote}</blockquote>}
      {message.role === 'assistant' ? <Markdown text={messageText(message)} /> : <p>{messageText(message)}</p>}
      {message.role === 'assistant' && <Citations message={message} />}
      <Failure message={message} onRetry={onRetry} busy={busy} />
    </div>
  );
}

export default memo(MessageView);
