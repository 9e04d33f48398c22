import { ValidationError, type SessionKey } from '@sessions/core';

/**
 * Escapes an id for use inside a key: `%`, `:`, `{` and `}` become `%25`, `%3A`, `%7B`, `%7D`.
 * The mapping is injective, and an escaped id never contains `:` or a brace, so it can neither
 * end a hash tag early nor run into the next key segment.
 */
export function escapeId(id: string): string {
  return id.replace(/[%:{}]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** The keys of one session. All share the user's hash tag, so one script may touch them together. */
export interface SessionKeys {
  /** Hash: the session record (model columns) plus `_rev` and `_deadline`. */
  readonly session: string;
  /** Sorted set: score = seq, member = the message as JSON text. */
  readonly messages: string;
  /** Hash: message id -> seq, for the per-session uniqueness check. */
  readonly messageIds: string;
  /** Hash: owner, token, expires_at. Outlives release and lease expiry so the token never goes down. */
  readonly lease: string;
}

/**
 * Where a large session's messages wait until the create that staged them commits (renames
 * them to the session's keys) or gives up. One pair per create call, under the user's hash tag.
 */
export interface StagingKeys {
  /** Sorted set shaped like `SessionKeys.messages`. */
  readonly messages: string;
  /** Hash shaped like `SessionKeys.messageIds`. */
  readonly messageIds: string;
}

/** The per-user keys. They carry the same hash tag as the user's sessions. */
export interface UserKeys {
  /** Sorted set of session ids by updatedAt (ms). */
  readonly byUpdatedAt: string;
  /** Sorted set of session ids by createdAt (ms). */
  readonly byCreatedAt: string;
  /** Sorted set of session ids with an expiresAt, by expiresAt (ms). */
  readonly byExpiresAt: string;
  /** Sorted set of session ids, all with score 0, so ZRANGE BYLEX orders them by code point. */
  readonly byId: string;
  /** Sorted set of session ids by the instant Redis drops their keys (only sessions with a TTL). */
  readonly byDeadline: string;
  /** String: present while the user is registered in the global user set (see `registerUser`). */
  readonly registered: string;
}

/** The keys a session script receives, in the order every script expects them. */
export type ScriptKeys = readonly [string, string, string, string, string, string, string, string, string, string];

/**
 * Key names under one prefix. Layout (P = prefix, U = escaped userId, S = escaped sessionId):
 *
 * | key | type | holds |
 * | --- | --- | --- |
 * | `P{U}:s:S` | hash | the session |
 * | `P{U}:m:S` | sorted set | its messages, score = seq |
 * | `P{U}:i:S` | hash | message id -> seq |
 * | `P{U}:l:S` | hash | the lease (owner, token, expires_at) |
 * | `P{U}:u` `P{U}:c` `P{U}:x` | sorted sets | the user's session ids by updatedAt, createdAt, expiresAt |
 * | `P{U}:n` | sorted set | the user's session ids (score 0, lexicographic) |
 * | `P{U}:d` | sorted set | the user's session ids by native expiry deadline |
 * | `P{U}:r` | string | registration marker for the global user set |
 * | `P{U}:pm:S:N` `P{U}:pi:S:N` | sorted set, hash | messages and ids staged by one large create (N: per call), expiring |
 * | `P{:}users` | set | every user id with sessions |
 * | `P{:}schema` | string | the layout version |
 *
 * `{U}` is the Redis Cluster hash tag: everything of one user lives in one slot. `{:}` cannot
 * be an escaped user id (escaped ids never contain `:`), so the global keys never share a
 * tag with a user.
 */
export class KeySpace {
  readonly prefix: string;
  readonly users: string;
  readonly schema: string;

  constructor(prefix: string) {
    if (typeof prefix !== 'string') throw new ValidationError('prefix must be a string such as "sessions:"', { path: 'options.prefix' });
    if (/[{}]/.test(prefix)) {
      throw new ValidationError('prefix must not contain "{" or "}": the adapter puts its own Redis Cluster hash tags after it', { path: 'options.prefix' });
    }
    this.prefix = prefix;
    this.users = `${prefix}{:}users`;
    this.schema = `${prefix}{:}schema`;
  }

  user(userId: string): UserKeys {
    const base = `${this.prefix}{${escapeId(userId)}}:`;
    return {
      byUpdatedAt: `${base}u`,
      byCreatedAt: `${base}c`,
      byExpiresAt: `${base}x`,
      byId: `${base}n`,
      byDeadline: `${base}d`,
      registered: `${base}r`,
    };
  }

  session(key: SessionKey): SessionKeys {
    const base = `${this.prefix}{${escapeId(key.userId)}}:`;
    const id = escapeId(key.sessionId);
    return { session: `${base}s:${id}`, messages: `${base}m:${id}`, messageIds: `${base}i:${id}`, lease: `${base}l:${id}` };
  }

  /** Staging keys for one create call; `nonce` is hex, so it never contains `:` or a brace. */
  staging(key: SessionKey, nonce: string): StagingKeys {
    const base = `${this.prefix}{${escapeId(key.userId)}}:`;
    const id = escapeId(key.sessionId);
    return { messages: `${base}pm:${id}:${nonce}`, messageIds: `${base}pi:${id}:${nonce}` };
  }

  /** The ten keys every session script takes: the session's four, then the user's six. */
  scriptKeys(key: SessionKey): ScriptKeys {
    const session = this.session(key);
    const user = this.user(key.userId);
    return [
      session.session,
      session.messages,
      session.messageIds,
      session.lease,
      user.byUpdatedAt,
      user.byCreatedAt,
      user.byExpiresAt,
      user.byId,
      user.byDeadline,
      user.registered,
    ];
  }

  /** A SCAN pattern matching every key under the prefix (for tests and tooling, never a hot path). */
  get pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}*`;
  }
}
