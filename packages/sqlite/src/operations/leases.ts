import { LockExpiredError, type Lease, type LeaseRef, type SessionKey } from '@sessions/core';
import { LeaseModel, type AcquireLeaseInput, type LeaseGrant } from '@sessions/core/engine';
import type { SqliteStatement } from '../database.js';
import { quoteIdentifier } from '../sql/identifier.js';
import type { Store } from '../store.js';

interface LeaseRow {
  owner: string;
  token: number;
  /** Epoch ms on this machine's clock, or null once released. */
  expires_at: number | null;
}

/**
 * Leases with fencing tokens, one row per session ever leased. The row outlives release and
 * expiry (release only clears `expires_at`), so a session's token never goes down.
 *
 * Every check and change happens inside one `BEGIN IMMEDIATE` transaction, and expiry is
 * read from this machine's clock inside it: processes sharing the file share that clock,
 * which makes it the store's clock.
 */
export class LeaseOperations {
  readonly #store: Store;
  readonly #select: SqliteStatement;
  readonly #grant: SqliteStatement;
  readonly #setExpiry: SqliteStatement;

  constructor(store: Store) {
    this.#store = store;
    const table = quoteIdentifier(store.tables.leases);
    const column = (field: string) => quoteIdentifier(LeaseModel.fields[field]!.column);
    const key = `${column('userId')} = ? AND ${column('sessionId')} = ?`;
    this.#select = store.db.prepare(
      `SELECT ${column('owner')} AS owner, ${column('token')} AS token, ${column('expiresAt')} AS expires_at FROM ${table} WHERE ${key}`,
    );
    this.#grant = store.db.prepare(
      `INSERT INTO ${table} (${column('userId')}, ${column('sessionId')}, ${column('owner')}, ${column('token')}, ${column('expiresAt')}) VALUES (?, ?, ?, ?, ?) ` +
        `ON CONFLICT (${column('userId')}, ${column('sessionId')}) DO UPDATE SET ${column('owner')} = excluded.${column('owner')}, ` +
        `${column('token')} = excluded.${column('token')}, ${column('expiresAt')} = excluded.${column('expiresAt')}`,
    );
    this.#setExpiry = store.db.prepare(`UPDATE ${table} SET ${column('expiresAt')} = ? WHERE ${key}`);
  }

  /**
   * Throws `LockExpiredError` unless `lease` is the session's current lease (same owner and
   * token) and unexpired now. Call it first inside the write transaction it fences.
   */
  checkFence(key: SessionKey, lease: LeaseRef | undefined): void {
    if (lease && !this.#held(key, lease, Date.now())) throw new LockExpiredError(key);
  }

  acquire(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    return this.#store.write((): LeaseGrant => {
      const now = Date.now();
      const current = this.#select.get(key.userId, key.sessionId) as LeaseRow | undefined;
      if (current && current.expires_at !== null && current.expires_at > now) {
        return { acquired: false, holder: current.owner, expiresAt: new Date(current.expires_at) };
      }
      const token = (current?.token ?? 0) + 1;
      const expiresAt = now + input.ttlMs;
      this.#grant.run(key.userId, key.sessionId, input.owner, token, expiresAt);
      return { acquired: true, lease: toLease(key, input.owner, token, expiresAt) };
    });
  }

  renew(lease: Lease, ttlMs: number): Promise<Lease | null> {
    return this.#store.write((): Lease | null => {
      const now = Date.now();
      if (!this.#held(lease, lease, now)) return null;
      const expiresAt = now + ttlMs;
      this.#setExpiry.run(expiresAt, lease.userId, lease.sessionId);
      return toLease(lease, lease.owner, lease.token, expiresAt);
    });
  }

  /** Ends the caller's own lease, keeping its token; true only if it was still unexpired. */
  release(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    return this.#store.write((): boolean => {
      const current = this.#select.get(key.userId, key.sessionId) as LeaseRow | undefined;
      if (!current || current.owner !== lease.owner || current.token !== lease.token || current.expires_at === null) return false;
      const wasHeld = current.expires_at > Date.now();
      this.#setExpiry.run(null, key.userId, key.sessionId);
      return wasHeld;
    });
  }

  #held(key: SessionKey, lease: LeaseRef, now: number): boolean {
    const current = this.#select.get(key.userId, key.sessionId) as LeaseRow | undefined;
    return !!current && current.owner === lease.owner && current.token === lease.token && current.expires_at !== null && current.expires_at > now;
  }
}

function toLease(key: SessionKey, owner: string, token: number, expiresAt: number): Lease {
  return { userId: key.userId, sessionId: key.sessionId, owner, token, expiresAt: new Date(expiresAt) };
}
