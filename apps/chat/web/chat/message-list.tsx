import type { ChatStatus, UIMessage } from 'ai';
import { useLayoutEffect, useRef, useState } from 'react';
import { MessageView } from './message-view.js';

interface MessageListProps {
  messages: UIMessage[];
  status: ChatStatus;
  onFork(messageId: string): void;
  onRegenerate: (() => void) | undefined;
}

/** Pixels from the bottom that still count as "at the newest message". */
const STICKY_PX = 48;

/**
 * The only part of the screen that scrolls. It opens at the newest message and follows new
 * ones, unless the reader scrolled up to read; then a button brings them back down.
 */
export function MessageList({ messages, status, onFork, onRegenerate }: MessageListProps) {
  const list = useRef<HTMLDivElement>(null);
  const [following, setFollowing] = useState(true);

  // A message the reader just sent brings the view back to the newest, wherever they had scrolled.
  const last = messages.at(-1);
  const sentId = last?.role === 'user' ? last.id : undefined;
  useLayoutEffect(() => {
    if (sentId) setFollowing(true);
  }, [sentId]);

  useLayoutEffect(() => {
    if (following && list.current) list.current.scrollTop = list.current.scrollHeight;
  }, [messages, status, following]);

  const onScroll = () => {
    const element = list.current!;
    setFollowing(element.scrollHeight - element.scrollTop - element.clientHeight < STICKY_PX);
  };

  const lastAssistant = messages.findLastIndex((message) => message.role === 'assistant');
  return (
    <div className="message-scroller" ref={list} onScroll={onScroll}>
      <ol className="messages" aria-label="Messages">
        {messages.length === 0 && (
          <li className="hint-line">Say hello. Try “My name is Ada”, then “What’s my name?”, or “What time is it?” for the clock tool.</li>
        )}
        {messages.map((message, index) => (
          <MessageView
            key={message.id}
            message={message}
            onFork={() => onFork(message.id)}
            onRegenerate={index === lastAssistant && index === messages.length - 1 ? onRegenerate : undefined}
          />
        ))}
        {status === 'submitted' && (
          <li className="message assistant pending" aria-label="The assistant is thinking">
            <span className="dots" aria-hidden="true">
              <span />
              <span />
              <span />
            </span>
          </li>
        )}
      </ol>
      {!following && (
        <button type="button" className="jump" onClick={() => setFollowing(true)}>
          ↓ Newest
        </button>
      )}
    </div>
  );
}
