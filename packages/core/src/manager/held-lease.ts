import type { Lease } from '../engine/lease.js';

/**
 * A lease as `SessionManager` hands it out: the store's lease plus what the holder needs
 * to judge it locally. `localDeadline` is on the monotonic clock (`performance.now()`),
 * measured from before the request that granted or renewed it was sent, so it never
 * outlasts the store's view of the lease, whatever either wall clock says.
 */
export interface HeldLease extends Lease {
  readonly ttlMs: number;
  /** Moves forward with every successful renew of this lease, through any of its copies. */
  readonly localDeadline: number;
}

/** One deadline shared by every copy of a lease, so renewing through one copy extends them all. */
interface DeadlineCell {
  value: number;
}

export function holdLease(lease: Lease, ttlMs: number, requestedAt: number): HeldLease {
  return withDeadline(lease, ttlMs, { value: requestedAt + ttlMs });
}

/** The lease after a successful renew of `held`: `held` and its other copies see the new deadline too. */
export function renewedLease(held: HeldLease, renewed: Lease, requestedAt: number): HeldLease {
  const cell = DEADLINES.get(held) ?? { value: held.localDeadline };
  cell.value = Math.max(cell.value, requestedAt + held.ttlMs);
  return withDeadline(renewed, held.ttlMs, cell);
}

export function isLocallyExpired(lease: { localDeadline?: number }): boolean {
  return lease.localDeadline !== undefined && performance.now() >= lease.localDeadline;
}

const DEADLINES = new WeakMap<object, DeadlineCell>();

function withDeadline(lease: Lease, ttlMs: number, cell: DeadlineCell): HeldLease {
  const held = Object.freeze(
    Object.defineProperties(
      { userId: lease.userId, sessionId: lease.sessionId, owner: lease.owner, token: lease.token, expiresAt: lease.expiresAt, ttlMs },
      { localDeadline: { get: () => cell.value, enumerable: true } },
    ),
  ) as unknown as HeldLease;
  DEADLINES.set(held, cell);
  return held;
}
