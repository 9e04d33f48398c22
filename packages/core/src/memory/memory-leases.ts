import type { AcquireLeaseInput, Lease, LeaseGrant, LeaseInfo, LeaseRef, ListLeasesQuery } from '../engine/lease.js';
import type { SessionKey } from '../errors.js';
import { compareCodePoints } from '../filter/compare.js';
import { storeKey, type MemoryStore, type StoredLease } from './memory-store.js';

/** The leases of a memory store, judged by the engine's clock. */
export class MemoryLeases {
  readonly #store: MemoryStore;
  readonly #clock: () => number;

  constructor(store: MemoryStore, clock: () => number) {
    this.#store = store;
    this.#clock = clock;
  }

  acquire(key: SessionKey, input: AcquireLeaseInput): LeaseGrant {
    const id = storeKey(key);
    const now = this.#clock();
    const current = this.#store.leases.get(id);
    if (current && current.expiresAt !== null && current.expiresAt > now) {
      return { acquired: false, holder: current.owner, expiresAt: new Date(current.expiresAt) };
    }
    const granted: StoredLease = { owner: input.owner, token: (current?.token ?? 0) + 1, expiresAt: now + input.ttlMs };
    this.#store.leases.set(id, granted);
    return { acquired: true, lease: toLease(key, granted) };
  }

  renew(lease: Lease, ttlMs: number): Lease | null {
    const current = this.#held(lease, lease);
    if (!current) return null;
    current.expiresAt = this.#clock() + ttlMs;
    return toLease(lease, current);
  }

  release(key: SessionKey, lease: LeaseRef): boolean {
    const current = this.#store.leases.get(storeKey(key));
    if (!current || current.owner !== lease.owner || current.token !== lease.token || current.expiresAt === null) return false;
    const wasHeld = current.expiresAt > this.#clock();
    current.expiresAt = null;
    return wasHeld;
  }

  list(query: ListLeasesQuery & { limit: number }): LeaseInfo[] {
    const now = this.#clock();
    const rows: LeaseInfo[] = [];
    for (const [id, stored] of this.#store.leases) {
      const [userId, sessionId] = id.split('\u0000') as [string, string];
      const held = stored.expiresAt !== null && stored.expiresAt > now;
      if (query.userId !== undefined && userId !== query.userId) continue;
      if (query.held !== undefined && held !== query.held) continue;
      if (query.after && compareKeys({ userId, sessionId }, query.after) <= 0) continue;
      rows.push({
        userId,
        sessionId,
        owner: stored.owner,
        token: stored.token,
        expiresAt: stored.expiresAt === null ? null : new Date(stored.expiresAt),
        held,
      });
    }
    return rows.sort(compareKeys).slice(0, query.limit);
  }

  /** Whether `lease` still holds the session: the same owner and token, not expired. */
  isHeld(key: SessionKey, lease: LeaseRef): boolean {
    return this.#held(key, lease) !== null;
  }

  #held(key: SessionKey, lease: LeaseRef): StoredLease | null {
    const current = this.#store.leases.get(storeKey(key));
    if (!current || current.owner !== lease.owner || current.token !== lease.token) return null;
    if (current.expiresAt === null || current.expiresAt <= this.#clock()) return null;
    return current;
  }
}

function compareKeys(a: SessionKey, b: SessionKey): number {
  return compareCodePoints(a.userId, b.userId) || compareCodePoints(a.sessionId, b.sessionId);
}

function toLease(key: SessionKey, stored: StoredLease): Lease {
  return { userId: key.userId, sessionId: key.sessionId, owner: stored.owner, token: stored.token, expiresAt: new Date(stored.expiresAt!) };
}
