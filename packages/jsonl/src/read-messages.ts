import type { Message, SessionKey } from '@sessions/core';
import type { MessageRange } from '@sessions/core/engine';
import { isExpiredAt } from '@sessions/core/engine';
import { CorruptFileError } from './errors.js';
import type { SessionPaths } from './layout.js';
import { LOG_CHANGED, viewOf } from './log-view.js';
import type { StoreFiles } from './store-files.js';

/** A reader retries this often when the messages file is replaced under it (clear, delete, rewrite) before giving up. */
const READ_ATTEMPTS = 5;

/**
 * Reads without a lock; when a clear, delete or rewrite replaces the file under it, reads the session file again and retries.
 * Expiry (`range.liveAt`) is judged on the very session file whose view of the log is read, so the answer is one
 * committed state, and an expired session costs that one small read: its messages file is not opened.
 */
export async function readMessages(files: StoreFiles, paths: SessionPaths, key: SessionKey, range: MessageRange): Promise<Message[]> {
  for (let attempt = 1; ; attempt++) {
    const stored = await files.sessions.read(paths, key);
    if (!stored || isExpiredAt(stored.session, range.liveAt)) return [];
    const messages = await files.log.read(paths.messages, key, viewOf(stored), range);
    if (messages !== LOG_CHANGED) return messages;
    const again = await files.sessions.read(paths, key);
    if (!again) return [];
    if (again.log.id === stored.log.id) {
      throw new CorruptFileError(
        paths.messages,
        `is missing or holds fewer than the ${stored.session.messageCount} committed messages its session file records`,
      );
    }
    if (attempt >= READ_ATTEMPTS) throw new Error(`the messages of ${paths.session} were replaced ${attempt} times while being read; try again`);
  }
}
