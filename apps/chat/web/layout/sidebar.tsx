import { useEffect, useRef, useState, type ChangeEvent } from 'react';
import { api, ApiError, type AppInfo, type SessionSummary } from '../api.js';

interface SidebarProps {
  user: string;
  info: AppInfo | null;
  openSessionId: string | null;
  /** Bumped whenever a conversation changed, so the list reloads. */
  listVersion: number;
  onOpen(sessionId: string): void;
  onNewChat(): Promise<void>;
  onImported(sessionId: string): void;
  onClose(): void;
  onSwitchUser(): void;
}

/** Conversations: new chat, search, the list (newest first, paged), archived ones, import. */
export function Sidebar({ user, info, openSessionId, listVersion, onOpen, onNewChat, onImported, onClose, onSwitchUser }: SidebarProps) {
  const [query, setQuery] = useState('');
  const [archived, setArchived] = useState(false);
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [problem, setProblem] = useState('');
  const [loaded, setLoaded] = useState(false);
  const [attempt, setAttempt] = useState(0);
  const fileInput = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const abort = new AbortController();
    let retryTimer: ReturnType<typeof setTimeout> | undefined;
    const timer = setTimeout(() => {
      const params = new URLSearchParams({ limit: '30', ...(query.trim() ? { q: query.trim() } : {}), ...(archived ? { archived: '1' } : {}) });
      api<{ sessions: SessionSummary[]; nextCursor: string | null }>(user, `/api/sessions?${params}`, { signal: abort.signal }).then(
        (page) => {
          setSessions(page.sessions);
          setCursor(page.nextCursor);
          setProblem('');
          setLoaded(true);
        },
        (error: unknown) => {
          if (abort.signal.aborted) return;
          setProblem((error as Error).message);
          // The server is restarting or gone: look again shortly, so the list comes back by itself.
          if (error instanceof ApiError && error.code === 'OFFLINE') retryTimer = setTimeout(() => setAttempt((n) => n + 1), 3_000);
        },
      );
    }, 150);
    return () => {
      clearTimeout(timer);
      clearTimeout(retryTimer);
      abort.abort();
    };
  }, [user, query, archived, listVersion, attempt]);

  const loadMore = async () => {
    const params = new URLSearchParams({ limit: '30', cursor: cursor!, ...(query.trim() ? { q: query.trim() } : {}), ...(archived ? { archived: '1' } : {}) });
    const page = await api<{ sessions: SessionSummary[]; nextCursor: string | null }>(user, `/api/sessions?${params}`);
    setSessions((current) => [...current, ...page.sessions]);
    setCursor(page.nextCursor);
  };

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    event.target.value = '';
    if (!file) return;
    if (info && file.size > info.maxImportBytes) {
      setProblem(`That file is larger than ${Math.round(info.maxImportBytes / 1024 / 1024)} MB, the most this app imports.`);
      return;
    }
    try {
      const { session } = await api<{ session: SessionSummary }>(user, '/api/import', { method: 'POST', body: await file.text() });
      setProblem('');
      onImported(session.sessionId);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
    }
  };

  return (
    <nav className="sidebar" aria-label="Conversations">
      <div className="sidebar-top">
        <button type="button" className="primary new-chat" onClick={() => void onNewChat().catch((error: Error) => setProblem(error.message))}>
          New chat
        </button>
        <button type="button" className="icon-button close-drawer" onClick={onClose} aria-label="Close conversations">
          ✕
        </button>
      </div>
      <label className="visually-hidden" htmlFor="search">
        Search conversations
      </label>
      <input id="search" type="search" placeholder="Search conversations" value={query} onChange={(event) => setQuery(event.target.value)} />
      {problem && (
        <p role="alert" className="problem">
          {problem}
        </p>
      )}
      <ul className="session-list">
        {sessions.map((session) => (
          <li key={session.sessionId}>
            <button
              type="button"
              className={`session-item${session.sessionId === openSessionId ? ' current' : ''}`}
              aria-current={session.sessionId === openSessionId ? 'page' : undefined}
              onClick={() => onOpen(session.sessionId)}
            >
              <span className="session-title">{session.title}</span>
              <span className="session-meta">
                {session.status === 'archived' ? 'Archived · ' : ''}
                {session.preview || `${session.messageCount} messages`}
              </span>
            </button>
          </li>
        ))}
      </ul>
      {loaded && sessions.length === 0 && !problem && <p className="empty-list">{query ? 'No conversation matches.' : 'No conversations yet.'}</p>}
      {cursor && (
        <button type="button" className="quiet" onClick={() => void loadMore()}>
          Show more
        </button>
      )}
      <div className="sidebar-bottom">
        <label className="check">
          <input type="checkbox" checked={archived} onChange={(event) => setArchived(event.target.checked)} /> Show archived
        </label>
        <button type="button" className="quiet" onClick={() => fileInput.current?.click()}>
          Import a conversation…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept="application/json,.json"
          className="visually-hidden"
          tabIndex={-1}
          aria-label="Import file"
          onChange={(event) => void importFile(event)}
        />
        <p className="mobile-only signed-in-as">
          Signed in as <strong>{user}</strong>
          <button type="button" className="quiet small" onClick={onSwitchUser}>
            Switch user
          </button>
        </p>
        {info && <p className="model-label">{info.model}</p>}
      </div>
    </nav>
  );
}
