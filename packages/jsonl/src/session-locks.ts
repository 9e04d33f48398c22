import { LockExpiredError, type LeaseRef, type SessionKey } from '@sessions/core';
import { LockLostError } from './errors.js';
import type { Fence } from './fence.js';
import { FileLocks, type FileLockOptions } from './file-lock.js';
import type { SessionPaths } from './layout.js';
import { removeLeftovers } from './leftovers.js';

/** A write made under a lease: losing the lock fails it with `LockExpiredError`, since the lease cannot be trusted either. */
export interface LeasedWrite {
  readonly key: SessionKey;
  readonly lease: LeaseRef | undefined;
}

/** The sessions' lock files, as the engine takes them: given up when the engine closes, cleaned up after a crashed holder. */
export class SessionLocks {
  readonly #locks: FileLocks;
  readonly #staleMs: number;
  readonly #signal: AbortSignal;

  constructor(options: FileLockOptions, signal: AbortSignal) {
    this.#locks = new FileLocks(options);
    this.#staleMs = options.staleMs;
    this.#signal = signal;
  }

  /**
   * Runs `body` holding the session's lock; its changes go through the lock's fence. A write
   * whose lock was taken over before it committed fails: with `LockExpiredError` when it was
   * fenced by a lease (the lease cannot be trusted either), else with `LockLostError`.
   */
  run<T>(paths: SessionPaths, body: (fence: Fence) => Promise<T>, write?: LeasedWrite): Promise<T> {
    return this.#locks.run(paths.lock, this.#signal, async ({ brokeStale, fence }) => {
      // Temporary files are only made under this lock: any still here are from the crashed holder.
      if (brokeStale) await removeLeftovers(paths, this.#staleMs);
      try {
        return await body(fence);
      } catch (error) {
        if (write?.lease && error instanceof LockLostError) {
          throw new LockExpiredError(write.key, 'this process stalled and its lock on the session was taken over before the write committed');
        }
        throw error;
      }
    });
  }
}
