import { join } from 'node:path';
import type { SessionKey } from '@sessions/core';
import { encodeName } from './encode-name.js';

export const SESSION_SUFFIX = '.session.json';
export const MESSAGES_SUFFIX = '.messages.jsonl';
export const LEASE_SUFFIX = '.lease.json';
export const LOCK_SUFFIX = '.lock';

/** The files of one session, all in its user's folder, all named after the encoded session id. */
export interface SessionPaths {
  readonly userDir: string;
  /** The encoded session id. */
  readonly name: string;
  /** `{ "session": ..., "log": ... }`, replaced atomically on every change. */
  readonly session: string;
  /** One message per line, appended. */
  readonly messages: string;
  /** The lease: owner, token, expiry. Outlives the session so tokens never go down. */
  readonly lease: string;
  /** The lock: a folder, present while a process writes to the session (see `FileLocks`). */
  readonly lock: string;
}

/**
 * Where everything lives under the engine's folder:
 *
 * ```text
 * <dir>/format.json                               {"format":"sessions-jsonl","version":2}
 * <dir>/users/<user>/<session>.session.json       the session record (pretty JSON)
 * <dir>/users/<user>/<session>.messages.jsonl     its messages, one JSON object per line
 * <dir>/users/<user>/<session>.lease.json         its lease
 * <dir>/users/<user>/<session>.lock/              while a write is in progress: owner.json and the fence folder
 * ```
 *
 * `<user>` and `<session>` are ids encoded by `encodeName`.
 */
export class Layout {
  readonly root: string;
  readonly formatFile: string;
  readonly usersDir: string;

  constructor(root: string) {
    this.root = root;
    this.formatFile = join(root, 'format.json');
    this.usersDir = join(root, 'users');
  }

  userDir(userId: string): string {
    return join(this.usersDir, encodeName(userId));
  }

  session(key: SessionKey): SessionPaths {
    return this.sessionIn(this.userDir(key.userId), encodeName(key.sessionId));
  }

  /** The paths of a session by its folder and encoded name, e.g. from a directory listing. */
  sessionIn(userDir: string, name: string): SessionPaths {
    const base = join(userDir, name);
    return {
      userDir,
      name,
      session: `${base}${SESSION_SUFFIX}`,
      messages: `${base}${MESSAGES_SUFFIX}`,
      lease: `${base}${LEASE_SUFFIX}`,
      lock: `${base}${LOCK_SUFFIX}`,
    };
  }
}
