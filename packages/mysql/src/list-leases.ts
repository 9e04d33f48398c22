import { LeaseModel, type LeaseInfo, type ListLeasesQuery } from '@sessions/core/engine';
import { NOW_MS } from './dialect.js';
import { select, type SqlParam } from './driver.js';
import { rowCodec } from './rows.js';
import type { Store } from './store.js';
import { quoteIdentifier } from './tables.js';

const leases = rowCodec<Omit<LeaseInfo, 'held'>>(LeaseModel);
const userId = quoteIdentifier(LeaseModel.fields['userId']!.column);
const sessionId = quoteIdentifier(LeaseModel.fields['sessionId']!.column);
const expiresAt = quoteIdentifier(LeaseModel.fields['expiresAt']!.column);
/** 1 or 0, never NULL: a released lease (NULL expiry) is not held. NOW_MS is constant within the statement. */
const HELD = `(${expiresAt} IS NOT NULL AND ${expiresAt} > ${NOW_MS})`;

/**
 * Lease rows in (user_id, session_id) order, which is code point order under the columns' binary
 * collation, with `held` judged by the server's clock. The keyset condition is spelled out rather
 * than written as a row comparison, which not every supported server turns into a range scan of
 * the primary key.
 */
export async function listLeases(store: Store, query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
  const conditions: string[] = [];
  const params: SqlParam[] = [];
  if (query.userId !== undefined) {
    conditions.push(`${userId} = ?`);
    params.push(query.userId);
  }
  if (query.after !== undefined) {
    conditions.push(`(${userId} > ? OR (${userId} = ? AND ${sessionId} > ?))`);
    params.push(query.after.userId, query.after.userId, query.after.sessionId);
  }
  if (query.held !== undefined) {
    conditions.push(`${HELD} = ?`);
    params.push(query.held ? 1 : 0);
  }
  params.push(BigInt(query.limit));
  const rows = await select(
    store.pool,
    `SELECT ${leases.selectList}, ${HELD} FROM ${store.tables.leases}${conditions.length > 0 ? ` WHERE ${conditions.join(' AND ')}` : ''} ORDER BY ${userId}, ${sessionId} LIMIT ?`,
    params,
  );
  return rows.map((row) => ({ ...leases.decode(row), held: Number(row[leases.fields.length]) === 1 }));
}
