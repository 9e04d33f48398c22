import type { SessionWriteOptions } from '../engine/engine.js';
import { LockExpiredError } from '../errors.js';
import { isLocallyExpired, type HeldLease } from './held-lease.js';

/** The fence for a write under `lease`: none without one; refused here once its local deadline passed. */
export function fence(lease: HeldLease | undefined): { lease?: HeldLease } {
  if (lease === undefined) return {};
  if (isLocallyExpired(lease)) throw new LockExpiredError(lease, 'its local deadline passed');
  return { lease };
}

/** Options for a write at `now`: fenced by the caller's lease, refused if the session has expired by then. */
export function fencedWrite(options: { lease?: HeldLease }, now: Date): SessionWriteOptions {
  return { ...fence(options.lease), liveAt: now };
}
