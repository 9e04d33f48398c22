import { MessageExistsError, type Message, type SessionKey } from '@sessions/core';
import { copyMessage, type NewMessage, type SessionWriteOptions } from '@sessions/core/engine';
import { callRoutineSql, isRejectedByRoutine, isRoutineUnavailable, messageField, ROUTINE_SLOTS, SLOT_FIELDS } from './append-routine.js';
import { call, select, write, type MysqlQueryable, type SqlParam } from './driver.js';
import { insertMessages } from './insert-messages.js';
import { explainRejectedWrite } from './rejected-write.js';
import { encodeValue } from './rows.js';
import { isDuplicateKey } from './server-errors.js';
import { KEY_CONDITION, type Store } from './store.js';
import { retryConflicts, transaction } from './transaction.js';
import { writeGuard } from './write-guard.js';

/** Routine calls carry every message in one packet; keep them well under max_allowed_packet. */
const MAX_ROUTINE_BYTES = 4 * 1024 * 1024;

/**
 * Appends a batch atomically: the lease and expiry checks (if asked), seq assignment under the
 * session's row lock, the inserts and the session's counters commit together or not at all, so
 * seq stays gap-free from any number of connections. A usual batch (up to four messages) is one round
 * trip, a call of the append routine; a larger one, or a database where the routine could not be
 * created, takes the same steps as a transaction of statements.
 */
export async function appendMessages(store: Store, key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
  const latest = messages.reduce((max, message) => Math.max(max, message.createdAt.getTime()), Number.NEGATIVE_INFINITY);
  if (store.appendRoutine.available && messages.length <= ROUTINE_SLOTS) {
    const params = routineParams(key, messages, options, latest);
    if (params.reduce<number>((total, value) => total + (typeof value === 'string' ? value.length * 3 : 8), 0) <= MAX_ROUTINE_BYTES) {
      try {
        return await appendWithRoutine(store, key, messages, options, params);
      } catch (error) {
        if (!isRoutineUnavailable(error)) throw error;
        store.appendRoutine.available = false;
      }
    }
  }
  return appendWithStatements(store, key, messages, options, latest);
}

async function appendWithRoutine(
  store: Store,
  key: SessionKey,
  messages: readonly NewMessage[],
  options: SessionWriteOptions,
  params: SqlParam[],
): Promise<Message[]> {
  let rows: unknown[][];
  try {
    rows = await retryConflicts(() => call(store.pool, callRoutineSql(store.tables), params));
  } catch (error) {
    if (isRejectedByRoutine(error)) throw await explainRejectedWrite(store.pool, store, key, options);
    if (isDuplicateKey(error)) throw (await duplicateMessageId(store.pool, store, key, messages)) ?? error;
    throw error;
  }
  const lastSeq = Number(rows[0]?.[0]);
  return stamp(messages, lastSeq - messages.length + 1);
}

function routineParams(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions, latest: number): SqlParam[] {
  const lease = options.lease;
  const liveAt = options.liveAt ? BigInt(options.liveAt.getTime()) : null;
  const params: SqlParam[] = [
    key.userId,
    key.sessionId,
    lease ? lease.owner : null,
    lease ? BigInt(lease.token) : null,
    BigInt(messages.length),
    BigInt(latest),
    liveAt,
  ];
  for (let slot = 0; slot < ROUTINE_SLOTS; slot++) {
    const message = messages[slot] as unknown as Record<string, unknown> | undefined;
    for (const field of SLOT_FIELDS) {
      params.push(message ? encodeValue(messageField(field), message[field]) : null);
    }
  }
  return params;
}

/**
 * The same steps as the routine, as statements in one transaction:
 * 1. one UPDATE of the session row checks the lease and expiry (if asked), reserves the seq
 *    values and moves the counters; its row lock serialises appenders, and LAST_INSERT_ID hands back the new lastSeq;
 * 2. multi-row INSERTs write the messages with their seq;
 * 3. COMMIT. A duplicate message id fails the INSERT, and the rollback undoes the reservation too.
 */
function appendWithStatements(
  store: Store,
  key: SessionKey,
  messages: readonly NewMessage[],
  options: SessionWriteOptions,
  latest: number,
): Promise<Message[]> {
  const count = BigInt(messages.length);
  const guard = writeGuard(store.tables, key, options);
  return transaction(store.pool, async (connection) => {
    const reserved = await write(
      connection,
      `UPDATE ${store.tables.sessions}
SET last_seq = LAST_INSERT_ID(last_seq + ?), message_count = message_count + ?, updated_at = GREATEST(updated_at, ?)
WHERE ${guard.sql}`,
      [count, count, BigInt(latest), ...guard.params],
    );
    if (reserved.insertId <= 0) throw await explainRejectedWrite(connection, store, key, options);
    const stored = stamp(messages, reserved.insertId - messages.length + 1);
    try {
      // insertMessages only reads these copies, so they can be handed back afterwards.
      await insertMessages(connection, store, stored);
    } catch (error) {
      if (isDuplicateKey(error)) throw (await duplicateMessageId(connection, store, key, messages)) ?? error;
      throw error;
    }
    return stored;
  });
}

/** The messages as stored: copies, numbered from `firstSeq`. */
function stamp(messages: readonly NewMessage[], firstSeq: number): Message[] {
  return messages.map((message, i) => copyMessage({ ...message, seq: firstSeq + i }));
}

/** The first message of the batch whose id the session already has, as a typed error. */
async function duplicateMessageId(target: MysqlQueryable, store: Store, key: SessionKey, messages: readonly NewMessage[]): Promise<MessageExistsError | null> {
  const wanted = messages.map((message) => message.id);
  const taken = new Set<string>();
  for (let start = 0; start < wanted.length; start += 500) {
    const ids = wanted.slice(start, start + 500);
    const rows = await select(target, `SELECT id FROM ${store.tables.messages} WHERE ${KEY_CONDITION} AND id IN (${ids.map(() => '?').join(', ')})`, [
      key.userId,
      key.sessionId,
      ...ids,
    ]);
    for (const [id] of rows) taken.add(String(id));
  }
  const duplicate = wanted.find((id) => taken.has(id));
  return duplicate === undefined ? null : new MessageExistsError(key, duplicate);
}
