import { ConcurrentUpdateError, LockExpiredError, SessionNotFoundError, type LeaseRef, type SessionKey, type SessionsError } from '@sessions/core';
import { isExpiredAt } from '@sessions/core/engine';
import { select, type MysqlQueryable } from './driver.js';
import { holdsLease } from './leases.js';
import { KEY_CONDITION, type Store } from './store.js';

export interface WriteConditions {
  readonly lease?: LeaseRef | undefined;
  readonly expectedVersion?: number | undefined;
  /** The write required the session to be live (unexpired) at this time. */
  readonly liveAt?: Date | undefined;
}

/**
 * Says why a conditional write matched no row, in the reference engine's order: a lease that is
 * not held, then a missing (or, at `liveAt`, expired) session, then a version that moved on. It reads after the write, which
 * is sound: nothing was written, and a lease valid now was valid at the write too (a token's lease
 * only ever ends, never comes back), so the write really did miss the session.
 */
export async function explainRejectedWrite(target: MysqlQueryable, store: Store, key: SessionKey, conditions: WriteConditions): Promise<SessionsError> {
  if (conditions.lease && !(await holdsLease(target, store.tables, key, conditions.lease))) return new LockExpiredError(key);
  const [row] = await select(target, `SELECT expires_at FROM ${store.tables.sessions} WHERE ${KEY_CONDITION}`, [key.userId, key.sessionId]);
  if (!row || conditions.expectedVersion === undefined) return new SessionNotFoundError(key);
  const expiresAt = row[0] === null ? null : new Date(Number(row[0]));
  if (isExpiredAt({ expiresAt }, conditions.liveAt)) return new SessionNotFoundError(key);
  return new ConcurrentUpdateError(key);
}
