import { LockExpiredError, SessionExistsError, type Message, type Session, type SessionKey } from '@sessions/core';
import {
  copySession,
  SessionModel,
  type ClearMessagesOptions,
  type FencedWriteOptions,
  type SessionChanges,
  type TruncateMessagesOptions,
  type UpdateSessionOptions,
} from '@sessions/core/engine';
import { matchedRows, select, write, type SqlParam } from './driver.js';
import { insertMessages } from './insert-messages.js';
import { fenceParams, fenceSql, holdsLease } from './leases.js';
import { explainRejectedWrite } from './rejected-write.js';
import { encodeValue } from './rows.js';
import { isDuplicateKey } from './server-errors.js';
import { KEY_CONDITION, type Store } from './store.js';
import { quoteIdentifier } from './tables.js';
import { retryConflicts, transaction } from './transaction.js';
import { writeGuard } from './write-guard.js';

export async function getSession(store: Store, key: SessionKey): Promise<Session | null> {
  const [row] = await select(store.pool, `SELECT ${store.sessions.selectList} FROM ${store.tables.sessions} WHERE ${KEY_CONDITION}`, [
    key.userId,
    key.sessionId,
  ]);
  return row ? store.sessions.decode(row) : null;
}

/** Inserts the session, and its messages in the same transaction when there are any. */
export async function createSession(store: Store, session: Session, messages: readonly Message[]): Promise<Session> {
  const insert = `INSERT INTO ${store.tables.sessions} (${store.sessions.selectList}) VALUES (${store.sessions.fields.map(() => '?').join(', ')})`;
  const params = store.sessions.encode(session as unknown as Record<string, unknown>);
  try {
    if (messages.length === 0) await retryConflicts(() => write(store.pool, insert, params));
    else {
      await transaction(store.pool, async (connection) => {
        await write(connection, insert, params);
        await insertMessages(connection, store, messages);
      });
    }
  } catch (error) {
    // Core checked the messages' ids are distinct, so a duplicate here is the session itself.
    if (isDuplicateKey(error)) throw new SessionExistsError(session);
    throw error;
  }
  return copySession(session);
}

/**
 * Applies the changes and bumps `version`, with the lease, expiry and expected version checked by
 * the same UPDATE (a stale lease fails it even when the version is right). The updated row is
 * read back inside the transaction, under the row lock, so what is returned is exactly what this
 * update left.
 */
export function updateSession(store: Store, key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
  const assignments: string[] = [];
  const params: SqlParam[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const definition = SessionModel.fields[field]!;
    assignments.push(`${quoteIdentifier(definition.column)} = ?`);
    params.push(encodeValue(definition, value));
  }
  const guard = writeGuard(store.tables, key, options);
  const conditions = [guard.sql];
  params.push(...guard.params);
  if (options.expectedVersion !== undefined) {
    conditions.push('version = ?');
    params.push(BigInt(options.expectedVersion));
  }
  return transaction(store.pool, async (connection) => {
    const result = await write(
      connection,
      `UPDATE ${store.tables.sessions} SET ${[...assignments, 'version = LAST_INSERT_ID(version + 1)'].join(', ')} WHERE ${conditions.join(' AND ')}`,
      params,
    );
    if (result.insertId <= 0) throw await explainRejectedWrite(connection, store, key, options);
    const [row] = await select(connection, `SELECT ${store.sessions.selectList} FROM ${store.tables.sessions} WHERE ${KEY_CONDITION}`, [
      key.userId,
      key.sessionId,
    ]);
    return store.sessions.decode(row!);
  });
}

/** Deletes the messages and zeroes the count, keeping lastSeq so no seq is ever reused. */
export function clearMessages(store: Store, key: SessionKey, options: ClearMessagesOptions): Promise<number> {
  const guard = writeGuard(store.tables, key, options);
  return transaction(store.pool, async (connection) => {
    const result = await write(connection, `UPDATE ${store.tables.sessions} SET message_count = 0, updated_at = ? WHERE ${guard.sql}`, [
      BigInt(options.updatedAt.getTime()),
      ...guard.params,
    ]);
    if (matchedRows(result) === 0) throw await explainRejectedWrite(connection, store, key, options);
    const deleted = await write(connection, `DELETE FROM ${store.tables.messages} WHERE ${KEY_CONDITION}`, [key.userId, key.sessionId]);
    return deleted.affectedRows;
  });
}

/**
 * Deletes the messages after `afterSeq` and lowers the count by as many, keeping lastSeq so no
 * seq is ever reused. The first UPDATE checks the guard and takes the session row's lock, which
 * every append also takes before it reserves seq values: an append either committed before (and
 * its messages are deleted here if they are above afterSeq) or waits until this commits (and
 * numbers its messages after lastSeq). So messageCount always equals the rows left.
 */
export function truncateMessages(store: Store, key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
  const guard = writeGuard(store.tables, key, options);
  return transaction(store.pool, async (connection) => {
    const locked = await write(connection, `UPDATE ${store.tables.sessions} SET updated_at = ? WHERE ${guard.sql}`, [
      BigInt(options.updatedAt.getTime()),
      ...guard.params,
    ]);
    if (matchedRows(locked) === 0) throw await explainRejectedWrite(connection, store, key, options);
    const deleted = await write(connection, `DELETE FROM ${store.tables.messages} WHERE ${KEY_CONDITION} AND seq > ?`, [
      key.userId,
      key.sessionId,
      BigInt(options.afterSeq),
    ]);
    if (deleted.affectedRows > 0) {
      await write(connection, `UPDATE ${store.tables.sessions} SET message_count = message_count - ? WHERE ${KEY_CONDITION}`, [
        BigInt(deleted.affectedRows),
        key.userId,
        key.sessionId,
      ]);
    }
    return deleted.affectedRows;
  });
}

/** One DELETE; the foreign key's ON DELETE CASCADE removes the messages in the same statement. */
export async function deleteSession(store: Store, key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
  const lease = options.lease;
  const result = await retryConflicts(() =>
    write(store.pool, `DELETE FROM ${store.tables.sessions} WHERE ${KEY_CONDITION}${lease ? ` AND ${fenceSql(store.tables)}` : ''}`, [
      key.userId,
      key.sessionId,
      ...(lease ? fenceParams(key, lease) : []),
    ]),
  );
  if (result.affectedRows > 0) return true;
  // Nothing was deleted: say so, unless the lease is the reason (see explainRejectedWrite).
  if (lease && !(await holdsLease(store.pool, store.tables, key, lease))) throw new LockExpiredError(key);
  return false;
}

const EXPIRED_BATCH = 1_000;

/**
 * Deletes expired sessions (and, by cascade, their messages) in batches, so a large purge
 * never holds one huge transaction. Ordered by the full key so each batch is deterministic
 * (safe for statement-based replication).
 */
export async function deleteExpired(store: Store, now: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const result = await retryConflicts(() =>
      write(store.pool, `DELETE FROM ${store.tables.sessions} WHERE expires_at <= ? ORDER BY expires_at, user_id, session_id LIMIT ${EXPIRED_BATCH}`, [
        BigInt(now.getTime()),
      ]),
    );
    total += result.affectedRows;
    if (result.affectedRows < EXPIRED_BATCH) return total;
  }
}
