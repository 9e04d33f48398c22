import type { Lease } from '../engine/lease.js';

/**
 * A lease as `SessionManager` hands it out: the store's lease plus what the holder needs
 * to judge it locally. `localDeadline` is on the monotonic clock (`performance.now()`),
 * measured from before the request that granted or renewed it was sent, so it never
 * outlasts the store's view of the lease, whatever either wall clock says.
 */
export interface HeldLease extends Lease {
  readonly ttlMs: number;
  readonly localDeadline: number;
}

export function holdLease(lease: Lease, ttlMs: number, requestedAt: number): HeldLease {
  return Object.freeze({ ...lease, ttlMs, localDeadline: requestedAt + ttlMs });
}

export function isLocallyExpired(lease: { localDeadline?: number }): boolean {
  return lease.localDeadline !== undefined && performance.now() >= lease.localDeadline;
}
