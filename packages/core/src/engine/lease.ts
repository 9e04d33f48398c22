import type { SessionKey } from '../errors.js';

/** What a fenced write carries: the lease it was made under. */
export interface LeaseRef {
  readonly owner: string;
  /** Grows with every grant on the session, across release and expiry. */
  readonly token: number;
}

/** A granted lease. `expiresAt` is on the store's clock. */
export interface Lease extends SessionKey, LeaseRef {
  readonly expiresAt: Date;
}

export type LeaseGrant = { readonly acquired: true; readonly lease: Lease } | { readonly acquired: false; readonly holder: string; readonly expiresAt: Date };

export interface AcquireLeaseInput {
  /** Who asks; shown to others in `LockHeldError`. */
  readonly owner: string;
  /** How long the lease lasts, measured by the store's clock. */
  readonly ttlMs: number;
}

/** A lease row as `listLeases` reports it. */
export interface LeaseInfo extends SessionKey {
  readonly owner: string;
  readonly token: number;
  /** On the store's clock; null once released. */
  readonly expiresAt: Date | null;
  /** True while the lease is unexpired by the store's clock. */
  readonly held: boolean;
}

export interface ListLeasesQuery {
  /** Only this user's leases. */
  readonly userId?: string;
  /** Only leases still held (true) or no longer held (false). */
  readonly held?: boolean;
  /** Leases after this key, in `(userId, sessionId)` order (keyset paging). */
  readonly after?: SessionKey;
  /** At most this many; default 100, at most 1,000. */
  readonly limit?: number;
}
