import { readFileSync } from 'node:fs';
import type { Session, SessionKey } from '@sessions/core';
import { encodeName } from './encode-name.js';
import { CorruptFileError } from './errors.js';
import type { Fence } from './fence.js';
import { fsyncDirectory, readFileIfExists, isNotFound, type WriteOptions } from './fs-utils.js';
import type { SessionPaths } from './layout.js';
import { decodeSessionFile, encodeSessionFile, RecordShapeError, type StoredSession } from './records.js';

/** Session files: read without a lock (they are only ever replaced whole), written under the session's lock. */
export class SessionFiles {
  readonly #options: WriteOptions;

  constructor(options: WriteOptions) {
    this.#options = Object.freeze({ ...options });
  }

  async read(paths: SessionPaths, key: SessionKey): Promise<StoredSession | null> {
    const text = await readFileIfExists(paths.session);
    if (text === null) return null;
    return decode(text, paths.session, (session) => session.userId === key.userId && session.sessionId === key.sessionId);
  }

  /**
   * For bulk scans, where a synchronous read of a small file costs a fraction of an
   * asynchronous one (one thread-pool round trip per open, stat, read and close).
   */
  readSync(paths: SessionPaths, userName: string): StoredSession | null {
    let text: string;
    try {
      text = readFileSync(paths.session, 'utf8');
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    return decode(text, paths.session, (session) => encodeName(session.userId) === userName && encodeName(session.sessionId) === paths.name);
  }

  /** Replaces the session file through the holder's fence: this rename is what commits a write. */
  async write(paths: SessionPaths, stored: StoredSession, fence: Fence): Promise<Session> {
    const text = encodeSessionFile(stored);
    await fence.writeFile(paths.session, text, this.#options);
    // What a reader will get back, not the caller's objects.
    return decodeSessionFile(text).session;
  }

  /** Deletes the session file; true if there was one. */
  async remove(paths: SessionPaths, fence: Fence): Promise<boolean> {
    const removed = await fence.removeFile(paths.session);
    if (removed && this.#options.fsync) await fsyncDirectory(paths.userDir);
    return removed;
  }
}

function decode(text: string, file: string, belongsHere: (session: Session) => boolean): StoredSession {
  let stored: StoredSession;
  try {
    stored = decodeSessionFile(text);
  } catch (error) {
    if (!(error instanceof RecordShapeError)) throw error;
    throw new CorruptFileError(file, error.message, { cause: error });
  }
  if (!belongsHere(stored.session)) {
    const { userId, sessionId } = stored.session;
    throw new CorruptFileError(
      file,
      `holds session ${JSON.stringify(sessionId)} of user ${JSON.stringify(userId)}, which belongs in another file: was it moved or copied by hand?`,
    );
  }
  return stored;
}
