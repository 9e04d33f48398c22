import { ConcurrentUpdateError, type SessionKey, type SessionManager } from '@sessions/core';

/**
 * Keeps the latest reply in metadata, where the list shows it and search finds it, and names an
 * untitled conversation after its first message, so the list does not read "New chat" everywhere.
 */
export async function rememberTurn(sessions: SessionManager, key: SessionKey, message: string, reply: string): Promise<void> {
  const preview = oneLine(reply, 160);
  // A rename from another tab can land between the read and the write: the versioned write then
  // fails and is redone on a fresh read, so the person's title is never overwritten. The preview is
  // a convenience, so a session that keeps changing under it is left as it is.
  for (let attempt = 0; attempt < 5; attempt++) {
    const session = await sessions.get(key);
    if (!session) return;
    const title = session.title === null ? { title: oneLine(message, 60) } : {};
    try {
      await sessions.update(key, { metadata: { ...session.metadata, preview }, ...title }, { expectedVersion: session.version });
      return;
    } catch (error) {
      if (!(error instanceof ConcurrentUpdateError)) throw error;
    }
  }
}

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  // End on a whole word when one is near, so a title does not stop at "ma…".
  const space = cut.lastIndexOf(' ');
  return `${(line[max - 1] !== ' ' && space > max / 2 ? cut.slice(0, space) : cut).trimEnd()}…`;
}
