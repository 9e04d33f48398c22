import type { Message, SessionKey } from '@sessions/core';
import type { MessageRange } from '@sessions/core/engine';
import { select, type SqlParam } from './driver.js';
import { KEY_CONDITION, type Store } from './store.js';
import { liveCondition } from './live-condition.js';

/**
 * Messages with afterSeq < seq < beforeSeq, oldest first. One range scan of the primary key
 * (user_id, session_id, seq), so the cost depends on the messages returned, not on the history:
 * `last` reads the range backwards and stops after N rows.
 *
 * Given `liveAt`, the same statement also requires the session to be live then (`liveCondition`,
 * the expiry check writes are guarded by, on the caller's clock): an uncorrelated EXISTS on the
 * sessions' primary key, which the server evaluates once, as a constant, before the scan, so an expired session
 * costs one key lookup and reads no message rows. One statement reads one snapshot, so the
 * session cannot be extended, expire or be deleted between the check and the read.
 */
export async function readMessages(store: Store, key: SessionKey, range: MessageRange): Promise<Message[]> {
  const conditions = [KEY_CONDITION];
  const params: SqlParam[] = [key.userId, key.sessionId];
  if (range.afterSeq !== undefined) {
    conditions.push('seq > ?');
    params.push(BigInt(range.afterSeq));
  }
  if (range.beforeSeq !== undefined) {
    conditions.push('seq < ?');
    params.push(BigInt(range.beforeSeq));
  }
  if (range.liveAt) {
    const live = liveCondition(range.liveAt);
    conditions.push(`EXISTS (SELECT 1 FROM ${store.tables.sessions} WHERE ${KEY_CONDITION} AND ${live.sql})`);
    params.push(key.userId, key.sessionId, ...live.params);
  }
  const newest = range.last !== undefined;
  const limit = range.last ?? range.limit;
  if (limit !== undefined) params.push(BigInt(limit));
  const rows = await select(
    store.pool,
    `SELECT ${store.messages.selectList} FROM ${store.tables.messages} WHERE ${conditions.join(' AND ')} ORDER BY seq ${newest ? 'DESC' : 'ASC'}${limit === undefined ? '' : ' LIMIT ?'}`,
    params,
  );
  const messages = rows.map((row) => store.messages.decode(row));
  return newest ? messages.reverse() : messages;
}
