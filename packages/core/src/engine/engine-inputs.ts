import { ValidationError, type SessionKey } from '../errors.js';
import type { Filter, OrderBy } from '../filter/types.js';
import { anything, boolean, count, date, duration, id, optional, signal } from '../input/checks.js';
import { shape, type Check, type Fields } from '../input/shape.js';
import { assertKey, assertLeaseRef } from '../validate.js';
import type { LeaseRef } from './lease.js';

// The shapes of the engine's options objects. Filters are resolved and records validated by
// their own checks; here the keys, and the plain values, are checked once.

const where = anything as Check<Filter | undefined>;
const orderBy = anything as Check<OrderBy | undefined>;
const queryShape = <F extends Fields>(method: string, fields: F) => shape(method, fields, { noun: 'query option' });

export const signalOptions = (method: string) => shape(method, { signal: optional(signal) });
export const FIND_MANY_QUERY = queryShape('findMany()', { where, orderBy, limit: optional(count()), offset: optional(count()) });
export const FIND_ONE_QUERY = queryShape('findOne()', { where, orderBy });
export const COUNT_QUERY = queryShape('count()', { where });
export const UPDATE_QUERY = queryShape('update()', { where, set: anything });
export const DELETE_QUERY = queryShape('delete()', { where });

const lease = optional((value, path) => {
  assertLeaseRef(value, path);
  return value;
}) as Check<(LeaseRef & Partial<SessionKey>) | undefined>;
const liveAt = optional(date);

export const APPEND_OPTIONS = shape('appendMessages()', { lease, liveAt });
export const DELETE_SESSION_OPTIONS = shape('deleteSession()', { lease });
export const UPDATE_SESSION_OPTIONS = shape('updateSession()', { lease, liveAt, expectedVersion: optional(count()) });
export const CLEAR_OPTIONS = shape('clearMessages()', { lease, liveAt, updatedAt: date });
export const TRUNCATE_OPTIONS = shape('truncateMessages()', { lease, liveAt, afterSeq: count(), updatedAt: date });
export const ACQUIRE_LEASE_INPUT = shape('acquireLease()', { owner: id, ttlMs: duration }, { noun: 'field', expected: '{ owner, ttlMs }' });
export const RENEW_LEASE_INPUT = shape('renewLease()', { ttlMs: duration }, { noun: 'field', expected: '{ ttlMs }' });

const sessionKey: Check<SessionKey> = (value, path) => {
  assertKey(value, path);
  return value;
};
export const LIST_LEASES_QUERY = queryShape('listLeases()', {
  userId: optional(id),
  held: optional(boolean),
  after: optional(sessionKey),
  limit: optional(count(1, { value: 1_000, message: 'at most 1000 leases per call' })),
});

/** Tokens count per session, so a lease of another session could carry a matching owner and token. */
export function assertLeaseOf(key: SessionKey, lease: Partial<SessionKey> | undefined): void {
  if (lease === undefined) return;
  if ((lease.userId !== undefined && lease.userId !== key.userId) || (lease.sessionId !== undefined && lease.sessionId !== key.sessionId)) {
    throw new ValidationError('the lease belongs to another session than the one written to', { path: 'options.lease' });
  }
}
