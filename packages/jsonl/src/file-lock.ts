import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sleep } from '@sessions/core/engine';
import { LockTimeoutError } from './errors.js';
import { Fence } from './fence.js';
import { isAlreadyExists, isNotFound, removeFile } from './fs-utils.js';
import { ownRecord } from './lock-owner.js';
import { asideName, isTaken, OWNER_FILE, preparedName } from './lock-paths.js';
import { enterQueue } from './lock-queue.js';
import { heldTokens } from './lock-state.js';
import { breakStale, inspect } from './stale-lock.js';

export interface FileLockOptions {
  /** A lock whose holder's liveness cannot be checked is presumed abandoned after this long. */
  readonly staleMs: number;
  /** Give up waiting for a lock after this long. */
  readonly timeoutMs: number;
}

/** What the holder of a lock learns when it gets it. */
export interface LockGrant {
  /** True if an abandoned lock (from a crashed or stalled process) was removed on the way in. */
  readonly brokeStale: boolean;
  /** Every change to the session's files goes through it, so it only lands while the lock is held. */
  readonly fence: Fence;
}

/**
 * Cross-process mutual exclusion with one lock per guarded thing, and a fence for its writes.
 *
 * A lock is the folder `<file>`, holding one folder named after the holder's random token: the
 * fence (see `Fence`), with `owner.json` in it (pid, thread, host, pid namespace, process start
 * time, token, the time). It is prepared under a name of its own and renamed to `<file>` in one
 * step: a rename onto a folder that is not empty fails, so exactly one process gets it, and a
 * lock is never seen half made. A waiter polls with jittered exponential backoff (1 to 25 ms)
 * and honours an AbortSignal.
 *
 * A lock is abandoned, and broken, when its holder is provably gone: on this host and in this
 * pid namespace, its pid is not running, or runs a process started at another time (a recycled
 * pid), or it names this very process and thread but a token they do not hold. A live process
 * on this host is never overtaken, however long it stalls (SIGSTOP, a long GC pause): its
 * waiters time out instead. Only where liveness cannot be checked (another host or container,
 * no `/proc`, another thread of this process) is a lock older than `staleMs` presumed
 * abandoned; the fence then makes sure the overtaken holder, should it still run, changes
 * nothing. Breaking renames the lock aside and checks it moved the very lock it judged, so two
 * waiters cannot both break one lock.
 *
 * Callers in one process queue in memory first, so only one of them at a time polls.
 * Lock files of the earlier format (a file, no fence) are judged and broken the same way.
 */
export class FileLocks {
  readonly #options: FileLockOptions;

  constructor(options: FileLockOptions) {
    this.#options = Object.freeze({ ...options });
  }

  /** Runs `fn` while holding the lock `file`; the lock is released however `fn` ends. */
  async run<T>(file: string, signal: AbortSignal | undefined, fn: (grant: LockGrant) => Promise<T>): Promise<T> {
    const leave = await enterQueue(file, signal);
    try {
      const { token, brokeStale } = await this.#acquire(file, signal);
      try {
        return await fn({ brokeStale, fence: new Fence(file, token) });
      } finally {
        await release(file, token);
      }
    } finally {
      leave();
    }
  }

  async #acquire(file: string, signal: AbortSignal | undefined): Promise<{ token: string; brokeStale: boolean }> {
    const token = randomBytes(12).toString('base64url');
    const prepared = preparedName(file, token);
    const started = performance.now();
    let backoffMs = 1;
    let brokeStale = false;
    let holder = 'holder unknown';
    let gone = 0;
    try {
      for (;;) {
        signal?.throwIfAborted();
        if (await tryTake(file, prepared, token)) return { token, brokeStale };
        const seen = await inspect(file, this.#options.staleMs);
        // Released a moment ago: try again at once; but a lock that keeps looking released
        // and still cannot be taken must not make this a busy loop.
        if (seen.state === 'gone' && gone++ === 0) continue;
        if (seen.state === 'stale') {
          holder = seen.description;
          brokeStale = (await breakStale(file, seen)) || brokeStale;
          continue;
        }
        if (seen.state === 'live') {
          holder = seen.description;
          gone = 0;
        }
        const waited = performance.now() - started;
        if (waited >= this.#options.timeoutMs) throw new LockTimeoutError(file, Math.round(waited), holder);
        await sleep(Math.min(backoffMs * (0.5 + Math.random()), this.#options.timeoutMs - waited), signal);
        backoffMs = Math.min(backoffMs * 2, 25);
      }
    } catch (error) {
      await rm(prepared, { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
  }
}

async function tryTake(file: string, prepared: string, token: string): Promise<boolean> {
  await makePrepared(prepared, token);
  // Written again before every attempt, so its time says when the lock was taken.
  try {
    await writeFile(join(prepared, token, OWNER_FILE), `${JSON.stringify(ownRecord(token))}\n`);
  } catch (error) {
    // Removed as abandoned while this waiter was stopped: made again on the next round.
    if (isNotFound(error)) return false;
    throw error;
  }
  // Registered before the rename, so this process never judges its own lock abandoned.
  heldTokens.add(token);
  try {
    await rename(prepared, file);
    return true;
  } catch (error) {
    heldTokens.delete(token);
    if (isTaken(error)) return false;
    // The prepared folder was removed under us (a cleanup): make it again on the next round.
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** The lock folder to be renamed into place, with its fence; kept between attempts. */
async function makePrepared(prepared: string, token: string): Promise<void> {
  try {
    await mkdir(prepared);
  } catch (error) {
    if (isNotFound(error)) {
      // The first write for a user creates the user's folder. (Not `recursive` throughout: on a
      // read-only file system that reports ENOENT instead of EROFS.)
      await mkdir(dirname(prepared), { recursive: true });
      await mkdir(prepared);
    } else if (!isAlreadyExists(error)) throw error;
  }
  try {
    await mkdir(join(prepared, token));
  } catch (error) {
    if (!isAlreadyExists(error)) throw error;
  }
}

/**
 * Moves the fence, with the owner record in it, out of the lock folder: one rename, which only
 * succeeds while the lock is ours (tokens are unique), and after which the lock folder is empty,
 * so the next waiter's rename onto it succeeds. Then the folder and the fence go.
 */
async function release(file: string, token: string): Promise<void> {
  try {
    const aside = asideName(file);
    try {
      await rename(join(file, token), aside);
    } catch (error) {
      // No fence: the lock was broken while we stalled, and what is there now is someone else's.
      if (isNotFound(error)) return;
      throw error;
    }
    // Fails when a waiter took the lock already, as it may.
    await rmdir(file).catch(() => undefined);
    await removeFile(join(aside, OWNER_FILE));
    await rmdir(aside).catch(() => rm(aside, { recursive: true, force: true }));
  } finally {
    heldTokens.delete(token);
  }
}
