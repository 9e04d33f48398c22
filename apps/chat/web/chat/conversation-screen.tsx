import { useEffect, useState } from 'react';
import { api, ApiError, type AppInfo, type Conversation } from '../api.js';
import { ConversationActions } from './conversation-actions.js';
import { ChatPanel } from './chat-panel.js';

interface ConversationScreenProps {
  user: string;
  info: AppInfo | null;
  sessionId: string | null;
  onOpen(sessionId: string | null): void;
  onNewChat(): Promise<void>;
  onChanged(): void;
  onShowConversations(): void;
  onSwitchUser(): void;
}

/** The fixed header, then the open conversation (or what to do when none is open). */
export function ConversationScreen({ user, info, sessionId, onOpen, onNewChat, onChanged, onShowConversations, onSwitchUser }: ConversationScreenProps) {
  const [conversation, setConversation] = useState<Conversation | null>(null);
  const [problem, setProblem] = useState<ApiError | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (sessionId === null) return;
    const abort = new AbortController();
    api<Conversation>(user, `/api/sessions/${encodeURIComponent(sessionId)}`, { signal: abort.signal }).then(
      (loaded) => {
        setConversation(loaded);
        setProblem(null);
      },
      (error: unknown) => !abort.signal.aborted && setProblem(error instanceof ApiError ? error : new ApiError(0, 'ERROR', String(error))),
    );
    return () => abort.abort();
  }, [user, sessionId, attempt]);

  // A turn names an untitled conversation after its first message: show the new title.
  const refreshSummary = () => {
    if (sessionId === null) return;
    api<Conversation>(user, `/api/sessions/${encodeURIComponent(sessionId)}?messages=0`).then(
      (loaded) => setConversation((current) => current && { ...current, session: loaded.session }),
      () => {},
    );
  };

  return (
    <main className="conversation">
      <header className="topbar">
        <button type="button" className="icon-button show-conversations" onClick={onShowConversations} aria-label="Show conversations">
          ☰
        </button>
        <h1 className="conversation-title" id="conversation-title">
          {sessionId === null ? 'sessions chat' : (conversation?.session.title ?? '…')}
        </h1>
        {conversation && sessionId !== null && (
          <ConversationActions
            user={user}
            session={conversation.session}
            onRenamed={(session) => {
              setConversation({ ...conversation, session });
              onChanged();
            }}
            onOpen={onOpen}
            onChanged={onChanged}
          />
        )}
        <div className="signed-in">
          <span className="user-name" title="Signed in as">
            <span className="visually-hidden">Signed in as </span>
            {user}
          </span>
          <button type="button" className="quiet small" onClick={onSwitchUser}>
            Switch user
          </button>
        </div>
      </header>
      {sessionId === null ? (
        <div className="empty-state">
          <p>Conversations are kept in the session store, so they survive reloads and server restarts.</p>
          <button type="button" className="primary" onClick={() => void onNewChat()}>
            Start a new chat
          </button>
        </div>
      ) : problem ? (
        <div className="empty-state" role="alert">
          <p>{problem.message}</p>
          {problem.code === 'OFFLINE' ? (
            <button type="button" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </button>
          ) : (
            <button type="button" onClick={() => onOpen(null)}>
              Back to the start
            </button>
          )}
        </div>
      ) : conversation ? (
        <ChatPanel
          user={user}
          info={info}
          sessionId={sessionId}
          initialMessages={conversation.messages}
          archived={conversation.session.status === 'archived'}
          onOpen={onOpen}
          onChanged={() => {
            onChanged();
            refreshSummary();
          }}
        />
      ) : (
        <p className="loading" aria-live="polite">
          Loading the conversation…
        </p>
      )}
    </main>
  );
}
