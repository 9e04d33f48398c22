import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, userHeaders, type SessionSummary } from '../api.js';

interface ConversationActionsProps {
  user: string;
  session: SessionSummary;
  onRenamed(session: SessionSummary): void;
  onOpen(sessionId: string | null): void;
  onChanged(): void;
}

/** One menu in the header for what applies to the whole conversation, so no bubble carries it. */
export function ConversationActions({ user, session, onRenamed, onOpen, onChanged }: ConversationActionsProps) {
  const [open, setOpen] = useState(false);
  const [problem, setProblem] = useState('');
  const menu = useRef<HTMLDivElement>(null);
  const renameDialog = useRef<HTMLDialogElement>(null);
  const deleteDialog = useRef<HTMLDialogElement>(null);
  const [title, setTitle] = useState(session.title);
  const path = `/api/sessions/${encodeURIComponent(session.sessionId)}`;

  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent ? event.key === 'Escape' : !menu.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('pointerdown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('pointerdown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);

  const act = async (action: () => Promise<void>) => {
    setOpen(false);
    try {
      await action();
      setProblem('');
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
    }
  };

  const rename = (event: FormEvent) => {
    event.preventDefault();
    renameDialog.current?.close();
    void act(async () => onRenamed((await api<{ session: SessionSummary }>(user, path, { method: 'PATCH', body: { title } })).session));
  };

  const exportFile = async () => {
    const response = await fetch(`${path}/export`, { headers: userHeaders(user) });
    if (!response.ok) throw new ApiError(response.status, 'EXPORT', 'The export failed; try again.');
    const url = URL.createObjectURL(await response.blob());
    const link = Object.assign(document.createElement('a'), {
      href: url,
      download: `${session.title.replace(/[^\p{L}\p{N} _-]/gu, '').trim() || 'conversation'}.json`,
    });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const archived = session.status === 'archived';
  return (
    <div className="actions" ref={menu}>
      <button
        type="button"
        className="icon-button"
        aria-haspopup="true"
        aria-expanded={open}
        aria-controls="conversation-menu"
        onClick={() => setOpen(!open)}
        aria-label="Conversation actions"
      >
        ⋯
      </button>
      {open && (
        <div className="menu" id="conversation-menu">
          <button type="button" onClick={() => (setOpen(false), setTitle(session.title), renameDialog.current?.showModal())}>
            Rename…
          </button>
          <button
            type="button"
            onClick={() =>
              void act(async () => onOpen((await api<{ session: SessionSummary }>(user, `${path}/fork`, { method: 'POST', body: {} })).session.sessionId))
            }
          >
            Fork conversation
          </button>
          <button
            type="button"
            onClick={() =>
              void act(async () => {
                onRenamed(
                  (await api<{ session: SessionSummary }>(user, `${path}/${archived ? 'unarchive' : 'archive'}`, { method: 'POST', body: {} })).session,
                );
                onChanged();
              })
            }
          >
            {archived ? 'Unarchive' : 'Archive'}
          </button>
          <button type="button" onClick={() => void act(exportFile)}>
            Export to a file
          </button>
          <button type="button" className="danger" onClick={() => (setOpen(false), deleteDialog.current?.showModal())}>
            Delete…
          </button>
        </div>
      )}
      {problem && (
        <p role="alert" className="problem floating">
          {problem}
        </p>
      )}
      <dialog ref={renameDialog} aria-labelledby="rename-heading">
        <form onSubmit={rename}>
          <h2 id="rename-heading">Rename conversation</h2>
          <label htmlFor="rename-title">Title</label>
          <input id="rename-title" value={title} maxLength={200} onChange={(event) => setTitle(event.target.value)} required />
          <div className="dialog-buttons">
            <button type="button" onClick={() => renameDialog.current?.close()}>
              Cancel
            </button>
            <button type="submit" className="primary">
              Save
            </button>
          </div>
        </form>
      </dialog>
      <dialog ref={deleteDialog} aria-labelledby="delete-heading">
        <h2 id="delete-heading">Delete “{session.title}”?</h2>
        <p>Its messages are removed from the store. Export it first to keep a copy.</p>
        <div className="dialog-buttons">
          <button type="button" onClick={() => deleteDialog.current?.close()}>
            Cancel
          </button>
          <button
            type="button"
            className="danger"
            onClick={() => {
              deleteDialog.current?.close();
              void act(async () => {
                await api(user, path, { method: 'DELETE' });
                onChanged();
                onOpen(null);
              });
            }}
          >
            Delete
          </button>
        </div>
      </dialog>
    </div>
  );
}
