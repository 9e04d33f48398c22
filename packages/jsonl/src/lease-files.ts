import { LockExpiredError, type Lease, type LeaseRef, type SessionKey } from '@sessions/core';
import { type AcquireLeaseInput, type LeaseGrant } from '@sessions/core/engine';
import { CorruptFileError } from './errors.js';
import type { Fence } from './fence.js';
import { readFileIfExists, type WriteOptions } from './fs-utils.js';
import type { SessionPaths } from './layout.js';
import { decodeLeaseFile, encodeLeaseFile, RecordShapeError, type StoredLease } from './records.js';

export interface LeaseFilesOptions extends WriteOptions {
  /** The store's clock, epoch ms: this machine's. */
  readonly clock: () => number;
}

/**
 * The lease protocol on lease files. Every method runs under the session's lock file, so
 * each read-check-write is atomic against every other process. The file is never deleted:
 * release clears `expiresAt` and keeps the token, so the next grant counts on from it.
 */
export class LeaseFiles {
  readonly #options: LeaseFilesOptions;

  constructor(options: LeaseFilesOptions) {
    this.#options = Object.freeze({ ...options });
  }

  async acquire(paths: SessionPaths, key: SessionKey, input: AcquireLeaseInput, fence: Fence): Promise<LeaseGrant> {
    const current = await this.#read(paths);
    const now = this.#options.clock();
    if (current && current.expiresAt !== null && current.expiresAt > now) {
      return { acquired: false, holder: current.owner, expiresAt: new Date(current.expiresAt) };
    }
    const granted: StoredLease = { owner: input.owner, token: (current?.token ?? 0) + 1, expiresAt: now + input.ttlMs };
    await this.#write(paths, key, granted, fence);
    return { acquired: true, lease: toLease(key, granted) };
  }

  /** Extends the caller's own unexpired lease; null when it was lost. */
  async renew(paths: SessionPaths, lease: Lease, ttlMs: number, fence: Fence): Promise<Lease | null> {
    const current = await this.#held(paths, lease);
    if (!current) return null;
    const renewed = { ...current, expiresAt: this.#options.clock() + ttlMs };
    await this.#write(paths, lease, renewed, fence);
    return toLease(lease, renewed);
  }

  /** Ends the caller's own lease; true if it was still unexpired. */
  async release(paths: SessionPaths, key: SessionKey, lease: LeaseRef, fence: Fence): Promise<boolean> {
    const current = await this.#read(paths);
    if (!current || current.owner !== lease.owner || current.token !== lease.token || current.expiresAt === null) return false;
    const wasHeld = current.expiresAt > this.#options.clock();
    await this.#write(paths, key, { ...current, expiresAt: null }, fence);
    return wasHeld;
  }

  /** The fencing check of a write: throws `LockExpiredError` unless `lease` is the session's current, unexpired lease. */
  async check(paths: SessionPaths, key: SessionKey, lease: LeaseRef | undefined): Promise<void> {
    if (lease && !(await this.#held(paths, lease))) throw new LockExpiredError(key);
  }

  async #held(paths: SessionPaths, lease: LeaseRef): Promise<StoredLease | null> {
    const current = await this.#read(paths);
    if (!current || current.owner !== lease.owner || current.token !== lease.token) return null;
    if (current.expiresAt === null || current.expiresAt <= this.#options.clock()) return null;
    return current;
  }

  async #read(paths: SessionPaths): Promise<StoredLease | null> {
    const text = await readFileIfExists(paths.lease);
    if (text === null) return null;
    try {
      return decodeLeaseFile(text);
    } catch (error) {
      if (!(error instanceof RecordShapeError)) throw error;
      throw new CorruptFileError(paths.lease, error.message, { cause: error });
    }
  }

  async #write(paths: SessionPaths, key: SessionKey, lease: StoredLease, fence: Fence): Promise<void> {
    await fence.writeFile(paths.lease, encodeLeaseFile(key, lease), this.#options);
  }
}

function toLease(key: SessionKey, stored: StoredLease): Lease {
  return { userId: key.userId, sessionId: key.sessionId, owner: stored.owner, token: stored.token, expiresAt: new Date(stored.expiresAt!) };
}
