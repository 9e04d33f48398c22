import { ConcurrentUpdateError, SessionExistsError, SessionNotFoundError, type Message, type Session, type SessionKey } from '@sessions/core';
import {
  copySession,
  SESSION_CHANGE_FIELDS,
  type FencedWriteOptions,
  type ResolvedFilter,
  type SessionChanges,
  type UpdateSessionOptions,
} from '@sessions/core/engine';
import { compileFilter, type CompiledSql } from '@sessions/core/sql';
import type { SqliteRow, SqliteStatement } from '../database.js';
import { sqliteDialect } from '../sql/dialect.js';
import type { Store } from '../store.js';
import type { LeaseOperations } from './leases.js';
import { liveAtParam, liveCondition } from './live.js';

/** Creating, reading, updating and deleting sessions; deleting one always deletes its messages too. */
export class SessionOperations {
  readonly #store: Store;
  readonly #leases: LeaseOperations;
  readonly #select: SqliteStatement;
  readonly #version: SqliteStatement;
  readonly #insertSession: SqliteStatement;
  readonly #insertMessage: SqliteStatement;
  readonly #deleteMessages: SqliteStatement;
  readonly #deleteSession: SqliteStatement;

  constructor(store: Store, leases: LeaseOperations) {
    this.#store = store;
    this.#leases = leases;
    const { sessions, messages } = store;
    const s = (field: string) => sessions.column(field);
    const m = (field: string) => messages.column(field);
    const sessionKey = `${s('userId')} = ? AND ${s('sessionId')} = ?`;
    this.#select = store.db.prepare(`SELECT ${sessions.columnList} FROM ${sessions.table} WHERE ${sessionKey}`);
    this.#version = store.db.prepare(`SELECT ${s('version')} AS version FROM ${sessions.table} WHERE ${sessionKey} AND ${liveCondition(sessions)}`);
    this.#insertSession = store.db.prepare(`INSERT INTO ${sessions.table} (${sessions.columnList}) VALUES (${sessions.placeholders})`);
    this.#insertMessage = store.db.prepare(`INSERT INTO ${messages.table} (${messages.columnList}) VALUES (${messages.placeholders})`);
    this.#deleteMessages = store.db.prepare(`DELETE FROM ${messages.table} WHERE ${m('userId')} = ? AND ${m('sessionId')} = ?`);
    this.#deleteSession = store.db.prepare(`DELETE FROM ${sessions.table} WHERE ${sessionKey}`);
  }

  get(key: SessionKey): Promise<Session | null> {
    return this.#store.read(() => {
      const row = this.#select.get(key.userId, key.sessionId) as SqliteRow | undefined;
      return row ? this.#store.sessions.decode(row) : null;
    });
  }

  /** The session and its initial messages in one transaction: all or nothing. */
  create(session: Session, messages: readonly Message[]): Promise<Session> {
    const sessionRow = this.#store.sessions.encode(session);
    const messageRows = messages.map((message) => this.#store.messages.encode(message));
    return this.#store.write(() => {
      try {
        this.#insertSession.run(...sessionRow);
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new SessionExistsError(session);
        throw error;
      }
      for (const row of messageRows) this.#insertMessage.run(...row);
      return copySession(session);
    });
  }

  /**
   * Fence, existence (live by `liveAt`) and `expectedVersion` are checked, in that order, in the
   * same transaction that writes: a stale lease fails even when its version is right.
   */
  update(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    const codec = this.#store.sessions;
    const fields = SESSION_CHANGE_FIELDS.filter((field) => changes[field] !== undefined);
    const assignments = fields.map((field) => `${codec.column(field)} = ?`);
    assignments.push(`${codec.column('version')} = ${codec.column('version')} + 1`);
    const byKey = `${codec.column('userId')} = ? AND ${codec.column('sessionId')} = ?`;
    const sql = `UPDATE ${codec.table} SET ${assignments.join(', ')} WHERE ${byKey} RETURNING ${codec.columnList}`;
    const params = fields.map((field) => codec.encodeField(field, changes[field]));
    return this.#store.write(() => {
      this.#leases.checkFence(key, options.lease);
      const current = this.#version.get(key.userId, key.sessionId, liveAtParam(options)) as { version: number } | undefined;
      if (!current) throw new SessionNotFoundError(key);
      if (options.expectedVersion !== undefined && current.version !== options.expectedVersion) throw new ConcurrentUpdateError(key);
      return codec.decode(this.#store.statement(sql).get(...params, key.userId, key.sessionId) as SqliteRow);
    });
  }

  deleteOne(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    return this.#store.write(() => {
      this.#leases.checkFence(key, options.lease);
      this.#deleteMessages.run(key.userId, key.sessionId);
      return this.#deleteSession.run(key.userId, key.sessionId).changes > 0;
    });
  }

  /** Deletes every session matching `where`, and their messages, in one transaction. */
  deleteWhere(where: ResolvedFilter): Promise<number> {
    return this.#deleteMatching(compileFilter(where, this.#store.sessions.model, sqliteDialect));
  }

  /** Deletes sessions whose `expiresAt` is at or before `now`, with their messages. */
  deleteExpired(now: Date): Promise<number> {
    const expiresAt = this.#store.sessions.column('expiresAt');
    return this.#deleteMatching({ sql: `(${expiresAt} IS NOT NULL AND ${expiresAt} <= ?)`, params: [now.getTime()] });
  }

  #deleteMatching(where: CompiledSql): Promise<number> {
    const { sessions, messages } = this.#store;
    const deleteMessages =
      `DELETE FROM ${messages.table} WHERE (${messages.column('userId')}, ${messages.column('sessionId')}) IN ` +
      `(SELECT ${sessions.column('userId')}, ${sessions.column('sessionId')} FROM ${sessions.table} WHERE ${where.sql})`;
    const deleteSessions = `DELETE FROM ${sessions.table} WHERE ${where.sql}`;
    return this.#store.write(() => {
      this.#store.statement(deleteMessages).run(...where.params);
      return this.#store.statement(deleteSessions).run(...where.params).changes;
    });
  }
}
