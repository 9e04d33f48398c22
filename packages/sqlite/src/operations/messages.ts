import { MessageExistsError, SessionNotFoundError, type Message, type SessionKey } from '@sessions/core';
import {
  copyMessage,
  type ClearMessagesOptions,
  type MessageRange,
  type NewMessage,
  type SessionWriteOptions,
  type TruncateMessagesOptions,
} from '@sessions/core/engine';
import type { SqliteRow, SqliteStatement } from '../database.js';
import { LIMIT } from '../sql/limit.js';
import type { Store } from '../store.js';
import type { LeaseOperations } from './leases.js';
import { liveAtParam, liveCondition } from './live.js';

/** Larger than any seq, as a bound for "no upper limit". */
const NO_UPPER_BOUND = Number.MAX_SAFE_INTEGER;

/** Appending, reading, clearing and truncating a session's messages: a row per message, never a rewritten blob. */
export class MessageOperations {
  readonly #store: Store;
  readonly #leases: LeaseOperations;
  readonly #advance: SqliteStatement;
  readonly #insert: SqliteStatement;
  readonly #readAscending: SqliteStatement;
  readonly #readNewest: SqliteStatement;
  readonly #readLiveAscending: SqliteStatement;
  readonly #readLiveNewest: SqliteStatement;
  readonly #live: SqliteStatement;
  readonly #deleteAll: SqliteStatement;
  readonly #resetCount: SqliteStatement;
  readonly #deleteAfter: SqliteStatement;
  readonly #lowerCount: SqliteStatement;

  constructor(store: Store, leases: LeaseOperations) {
    this.#store = store;
    this.#leases = leases;
    const { sessions, messages } = store;
    const s = (field: string) => sessions.column(field);
    const m = (field: string) => messages.column(field);
    const sessionKey = `${s('userId')} = ? AND ${s('sessionId')} = ?`;
    const messageKey = `${m('userId')} = ? AND ${m('sessionId')} = ?`;
    const live = liveCondition(sessions);
    this.#advance = store.db.prepare(
      `UPDATE ${sessions.table} SET ${s('lastSeq')} = ${s('lastSeq')} + ?, ${s('messageCount')} = ${s('messageCount')} + ?, ` +
        `${s('updatedAt')} = max(${s('updatedAt')}, ?) WHERE ${sessionKey} AND ${live} RETURNING ${s('lastSeq')} AS last_seq`,
    );
    this.#insert = store.db.prepare(`INSERT INTO ${messages.table} (${messages.columnList}) VALUES (${messages.placeholders})`);
    const range = `${messageKey} AND ${m('seq')} > ? AND ${m('seq')} < ?`;
    // The session row is checked in the read's own statement, so the check and the rows come from
    // one snapshot (no expiry or deleteExpired can fall between them). The subquery is
    // uncorrelated: SQLite runs it once per statement, not once per row. Reads without liveAt
    // keep the statements that never touch the sessions table.
    const liveRange = `${range} AND EXISTS (SELECT 1 FROM ${sessions.table} WHERE ${sessionKey} AND ${live})`;
    const select = (where: string, order: 'ASC' | 'DESC') =>
      store.db.prepare(`SELECT ${messages.columnList} FROM ${messages.table} WHERE ${where} ORDER BY ${m('seq')} ${order} ${LIMIT}`);
    this.#readAscending = select(range, 'ASC');
    this.#readNewest = select(range, 'DESC');
    this.#readLiveAscending = select(liveRange, 'ASC');
    this.#readLiveNewest = select(liveRange, 'DESC');
    this.#live = store.db.prepare(`SELECT 1 FROM ${sessions.table} WHERE ${sessionKey} AND ${live}`);
    this.#deleteAll = store.db.prepare(`DELETE FROM ${messages.table} WHERE ${messageKey}`);
    this.#resetCount = store.db.prepare(`UPDATE ${sessions.table} SET ${s('messageCount')} = 0, ${s('updatedAt')} = ? WHERE ${sessionKey}`);
    this.#deleteAfter = store.db.prepare(`DELETE FROM ${messages.table} WHERE ${messageKey} AND ${m('seq')} > ?`);
    this.#lowerCount = store.db.prepare(
      `UPDATE ${sessions.table} SET ${s('messageCount')} = ${s('messageCount')} - ?, ${s('updatedAt')} = ? WHERE ${sessionKey}`,
    );
  }

  /**
   * One transaction: fence check, seq assignment from the session's `last_seq`, every insert,
   * and the session's counters. Under `BEGIN IMMEDIATE` no other writer (in any process) can
   * run between reading `last_seq` and inserting, so seq stays gap-free and unique; a
   * duplicate id rolls the whole batch back. An expired session (by `liveAt`) matches no row.
   */
  append(key: SessionKey, batch: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    const codec = this.#store.messages;
    const rows = batch.map((message) => codec.encode({ ...message, seq: 0 }));
    const seqIndex = codec.indexOf('seq');
    let latest = -Infinity;
    for (const message of batch) latest = Math.max(latest, message.createdAt.getTime());
    return this.#store.write(() => {
      this.#leases.checkFence(key, options.lease);
      const advanced = this.#advance.get(batch.length, batch.length, latest, key.userId, key.sessionId, liveAtParam(options)) as
        { last_seq: number } | undefined;
      if (!advanced) throw new SessionNotFoundError(key);
      const firstSeq = advanced.last_seq - batch.length + 1;
      rows.forEach((row, i) => {
        row[seqIndex] = firstSeq + i;
        try {
          this.#insert.run(...row);
        } catch (error) {
          if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new MessageExistsError(key, batch[i]!.id);
          throw error;
        }
      });
      return batch.map((message, i) => storedMessage(message, firstSeq + i));
    });
  }

  /**
   * One statement, so one snapshot. With `liveAt`, the session's expiry is judged in that same
   * statement: an expired (or missing) session reads as no messages, even while its rows remain.
   */
  read(key: SessionKey, range: MessageRange): Promise<Message[]> {
    const params: unknown[] = [key.userId, key.sessionId, range.afterSeq ?? 0, range.beforeSeq ?? NO_UPPER_BOUND];
    const checked = range.liveAt !== undefined;
    if (checked) params.push(key.userId, key.sessionId, liveAtParam(range));
    return this.#store.read(() => {
      if (range.last !== undefined) {
        const rows = (checked ? this.#readLiveNewest : this.#readNewest).all(...params, range.last) as SqliteRow[];
        return rows.reverse().map((row) => this.#store.messages.decode(row));
      }
      const rows = (checked ? this.#readLiveAscending : this.#readAscending).all(...params, range.limit ?? -1) as SqliteRow[];
      return rows.map((row) => this.#store.messages.decode(row));
    });
  }

  /** Deletes the messages and keeps the session, with its `last_seq`: seq values are never reused. */
  clear(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    return this.#store.write(() => {
      this.#leases.checkFence(key, options.lease);
      this.#assertLive(key, options);
      const { changes } = this.#deleteAll.run(key.userId, key.sessionId);
      this.#resetCount.run(options.updatedAt.getTime(), key.userId, key.sessionId);
      return changes;
    });
  }

  /**
   * Deletes the messages after `afterSeq` and lowers `message_count` by as many, in the one
   * immediate transaction, so an append from another connection lands wholly before or after
   * it and the count always equals the rows. `last_seq` stays: seq values are never reused.
   */
  truncate(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    return this.#store.write(() => {
      this.#leases.checkFence(key, options.lease);
      this.#assertLive(key, options);
      const { changes } = this.#deleteAfter.run(key.userId, key.sessionId, options.afterSeq);
      this.#lowerCount.run(changes, options.updatedAt.getTime(), key.userId, key.sessionId);
      return changes;
    });
  }

  /** Call inside the write transaction: the session exists and, by `liveAt`, has not expired. */
  #assertLive(key: SessionKey, options: SessionWriteOptions): void {
    if (!this.#live.get(key.userId, key.sessionId, liveAtParam(options))) throw new SessionNotFoundError(key);
  }
}

function storedMessage(message: NewMessage, seq: number): Message {
  return copyMessage({ ...message, seq });
}
