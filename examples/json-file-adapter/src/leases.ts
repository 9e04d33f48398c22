import { type Lease, type SessionKey } from '@sessions/core';
import { compareCodePoints, type LeaseInfo, type ListLeasesQuery } from '@sessions/core/engine';
import type { LeaseJson } from './store-file.js';

export function toLease(key: SessionKey, stored: LeaseJson): Lease {
  return { userId: key.userId, sessionId: key.sessionId, owner: stored.owner, token: stored.token, expiresAt: new Date(stored.expiresAt!) };
}

/** `listLeases`: the rows in `(userId, sessionId)` code point order, `held` judged at `now`. */
export function leaseInfo(leases: Readonly<Record<string, LeaseJson>>, query: ListLeasesQuery & { limit: number }, now: number): LeaseInfo[] {
  const rows: LeaseInfo[] = [];
  for (const [id, stored] of Object.entries(leases)) {
    const [userId, sessionId] = JSON.parse(id) as [string, string];
    const held = stored.expiresAt !== null && stored.expiresAt > now;
    if (query.userId !== undefined && userId !== query.userId) continue;
    if (query.held !== undefined && held !== query.held) continue;
    if (query.after && compareKeys({ userId, sessionId }, query.after) <= 0) continue;
    rows.push({ userId, sessionId, owner: stored.owner, token: stored.token, expiresAt: stored.expiresAt === null ? null : new Date(stored.expiresAt), held });
  }
  return rows.sort(compareKeys).slice(0, query.limit);
}

function compareKeys(a: SessionKey, b: SessionKey): number {
  return compareCodePoints(a.userId, b.userId) || compareCodePoints(a.sessionId, b.sessionId);
}
