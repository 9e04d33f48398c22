import type { UIMessage } from 'ai';
import { useState } from 'react';
import { api, ApiError, errorFromBody, userHeaders, type AppInfo, type SessionSummary } from '../api.js';
import { Composer } from './composer.js';
import { MessageList } from './message-list.js';
import { useConversation } from './use-conversation.js';

interface ChatPanelProps {
  user: string;
  info: AppInfo | null;
  sessionId: string;
  initialMessages: UIMessage[];
  archived: boolean;
  onOpen(sessionId: string): void;
  onChanged(): void;
}

/** One conversation: the scrolling messages between the fixed header and the fixed composer. */
export function ChatPanel({ user, info, sessionId, initialMessages, archived, onOpen, onChanged }: ChatPanelProps) {
  const [announcement, setAnnouncement] = useState('');
  const [problem, setProblem] = useState('');
  const chat = useConversation(user, sessionId, initialMessages, (message) => {
    setAnnouncement(`Reply: ${textOf(message).slice(0, 500)}`);
    onChanged();
  });
  const busy = chat.status === 'submitted' || chat.status === 'streaming';
  const last = chat.messages.at(-1);
  // A message without a reply: the server went away, or the reply failed, before this page was loaded.
  const unanswered = !busy && !chat.error && last?.role === 'user';

  const stop = () => {
    // The server stops the model and keeps what it wrote; stop() ends this page's stream.
    void fetch(`/api/chat/${encodeURIComponent(sessionId)}/stop`, { method: 'POST', headers: userHeaders(user) }).catch(() => {});
    void chat.stop();
  };

  const retry = () => {
    chat.clearError();
    void chat.regenerate();
  };

  const fork = async (messageId: string) => {
    try {
      const { session } = await api<{ session: SessionSummary }>(user, `/api/sessions/${encodeURIComponent(sessionId)}/fork`, {
        method: 'POST',
        body: { messageId },
      });
      onChanged();
      onOpen(session.sessionId);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
    }
  };

  return (
    <>
      <MessageList
        messages={chat.messages}
        status={chat.status}
        onFork={(id) => void fork(id)}
        onRegenerate={busy ? undefined : () => void chat.regenerate()}
      />
      <div className="below-list">
        {chat.error && (
          <div className="notice error" role="alert">
            <span>{describeError(chat.error)}</span>
            <button type="button" onClick={retry}>
              Retry
            </button>
          </div>
        )}
        {unanswered && (
          <div className="notice">
            <span>This message has no reply yet.</span>
            <button type="button" onClick={retry}>
              Get a reply
            </button>
          </div>
        )}
        {problem && (
          <p className="notice error" role="alert">
            {problem}
          </p>
        )}
        {archived && <p className="notice">This conversation is archived: it shows in the list under “Show archived”.</p>}
        <Composer maxChars={info?.maxMessageChars ?? 8000} busy={busy} onSend={(text) => void chat.sendMessage({ text })} onStop={stop} />
      </div>
      <div className="visually-hidden" aria-live="polite" role="status">
        {busy ? 'The assistant is replying…' : announcement}
      </div>
    </>
  );
}

function textOf(message: UIMessage): string {
  return message.parts
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('')
    .trim();
}

/** The transport's errors are the server's JSON body, a stream error's text, or a failed fetch. */
function describeError(error: Error): string {
  if (error instanceof TypeError || /failed to fetch|network|load failed/i.test(error.message)) {
    return 'Cannot reach the server. Your message is kept: press Retry once it is back.';
  }
  return errorFromBody(0, error.message).message;
}
