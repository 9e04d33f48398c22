import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { sleep } from '@sessions/core/engine';
import { LockTimeoutError } from './errors.js';
import { Fence } from './fence.js';
import { isAlreadyExists, isNotFound, removeFile } from './fs-utils.js';
import { isProcessAlive, OWN_PID_NAMESPACE, OWN_START_TIME, processStartTime } from './process-identity.js';

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

interface LockOwner {
  pid: number;
  /** The worker thread within the process (0 for the main thread). */
  thread: number;
  host: string;
  token: string;
  acquiredAt: string;
  /** The process's start time (`/proc/<pid>/stat`), so a recycled pid is told apart; null where unknown. */
  startTime: string | null;
  /** Its pid namespace: a pid is only checked from the same one; null where unknown. */
  pidNamespace: string | null;
}

type Inspection =
  | { readonly state: 'gone' }
  | { readonly state: 'live' | 'stale'; readonly raw: string; readonly ino: bigint; readonly description: string };

const HOST = hostname();
/** The owner record, inside the fence folder of a lock. */
const OWNER_FILE = 'owner.json';
/** Suffix of a lock folder a waiter prepared (`<lock>.<token>.new`), renamed into place when it gets the lock. */
const PREPARED_SUFFIX = '.new';

interface ProcessState {
  /** Tokens of the locks this thread holds, shared by every engine in it. */
  readonly heldTokens: Set<string>;
  /** Per lock, the tail of this thread's queue, so callers in one thread wait in order instead of polling. */
  readonly queues: Map<string, Promise<void>>;
}

// Kept on globalThis so two copies of this module in one thread (bundles, dual installs) still agree.
const STATE_KEY = Symbol.for('@sessions/jsonl/file-locks');
const state: ProcessState = ((globalThis as Record<symbol, ProcessState | undefined>)[STATE_KEY] ??= { heldTokens: new Set(), queues: new Map() });
const { heldTokens, queues } = state;

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
    const prepared = `${file}.${token}${PREPARED_SUFFIX}`;
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
  const owner: LockOwner = { pid: process.pid, thread: threadId, host: HOST, token, acquiredAt: new Date().toISOString(), startTime: OWN_START_TIME, pidNamespace: OWN_PID_NAMESPACE };
  try {
    await writeFile(join(prepared, token, OWNER_FILE), `${JSON.stringify(owner)}\n`);
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

/** A rename onto a lock folder (not empty) or an old-format lock file. */
function isTaken(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'EEXIST' || code === 'ENOTEMPTY' || code === 'ENOTDIR' || (process.platform === 'win32' && (code === 'EPERM' || code === 'EACCES'));
}

async function inspect(file: string, staleMs: number): Promise<Inspection> {
  let raw: string;
  let ino: bigint;
  let mtimeMs: number;
  try {
    const stats = await lstat(file, { bigint: true });
    ino = stats.ino;
    mtimeMs = Number(stats.mtimeMs);
    const owner = await readOwnerRecord(file, stats.isDirectory());
    if (owner === null) return { state: 'gone' };
    raw = owner;
  } catch (error) {
    if (isNotFound(error)) return { state: 'gone' };
    throw error;
  }
  const owner = parseOwner(raw);
  if (!owner) {
    // An old-format lock file created but not written yet, or its creator died in between: only its age can tell.
    const age = Date.now() - mtimeMs;
    return { state: age > staleMs ? 'stale' : 'live', raw, ino, description: `unreadable lock file, ${Math.round(age)} ms old` };
  }
  const stale = await isAbandoned(owner, staleMs);
  return { state: stale ? 'stale' : 'live', raw, ino, description: `held by pid ${owner.pid} on ${owner.host} since ${owner.acquiredAt}` };
}

/** Whether the lock's holder is gone for sure, or (where that cannot be checked) held it longer than `staleMs`. */
async function isAbandoned(owner: LockOwner, staleMs: number): Promise<boolean> {
  const old = Date.now() - Date.parse(owner.acquiredAt) > staleMs;
  // Another host, or another container on this one: its pids cannot be looked up from here.
  if (owner.host !== HOST || (owner.pidNamespace !== null && owner.pidNamespace !== OWN_PID_NAMESPACE)) return old;
  if (owner.pid === process.pid) {
    // Another process that had this pid before us.
    if (owner.startTime !== null && OWN_START_TIME !== null && owner.startTime !== OWN_START_TIME) return true;
    if (owner.thread === threadId) return !heldTokens.has(owner.token);
    // Another thread of this process: whether it still runs cannot be seen from here.
    return old;
  }
  if (!isProcessAlive(owner.pid)) return true;
  const startTime = owner.startTime === null ? null : await processStartTime(owner.pid);
  // The same process, alive: never overtaken, however long it stalls.
  if (startTime !== null) return startTime !== owner.startTime;
  // No /proc here, or a lock of the earlier format: only its age can tell a recycled pid.
  return old;
}

/** Removes an abandoned lock; false if it was no longer the one judged abandoned. */
async function breakStale(file: string, judged: Extract<Inspection, { raw: string }>): Promise<boolean> {
  const aside = asideName(file);
  try {
    await rename(file, aside);
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  const moved = await lstat(aside, { bigint: true });
  const movedRaw = await readOwnerRecord(aside, moved.isDirectory()).catch(() => null);
  if (movedRaw === judged.raw && moved.ino === judged.ino) {
    // Its fence goes with it, before this process reads anything: an old holder that still has
    // the fence folder open or cached (a network file system's client) then fails too. Should
    // the old holder create a file in it meanwhile, the removal is tried again.
    await rm(aside, { recursive: true, force: true, maxRetries: 5, retryDelay: 5 });
    return true;
  }
  // The abandoned lock went away between our look and the rename, and another process took
  // the lock: put it back, unless a third one already took the free slot.
  await putBack(aside, file, moved.isDirectory());
  return false;
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

/**
 * The owner record of the lock at `path`: in the one fence folder of a lock folder, or the whole
 * file for a lock of format version 1. Null when the lock folder is empty (just released). An
 * unreadable record is '' (judged by age).
 */
async function readOwnerRecord(path: string, isFolder: boolean): Promise<string | null> {
  if (!isFolder) return readFile(path, 'utf8');
  const [fence] = await readdir(path);
  if (fence === undefined) return null;
  try {
    return await readFile(join(path, fence, OWNER_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return '';
    throw error;
  }
}

/**
 * Whether `path` is a lock folder a waiter prepared and then abandoned (it died waiting): a
 * live waiter writes its owner record again before every try, so its record is never older
 * than `staleMs`.
 */
export async function isAbandonedPreparedLock(path: string, staleMs: number): Promise<boolean> {
  if (!path.endsWith(PREPARED_SUFFIX)) return false;
  const token = path.slice(path.lastIndexOf('.', path.length - PREPARED_SUFFIX.length - 1) + 1, -PREPARED_SUFFIX.length);
  try {
    return Date.now() - (await lstat(join(path, token, OWNER_FILE))).mtimeMs > staleMs;
  } catch (error) {
    if (isNotFound(error)) return Date.now() - (await lstat(path)).mtimeMs > staleMs;
    throw error;
  }
}

async function putBack(aside: string, file: string, isDirectory: boolean): Promise<void> {
  try {
    if (isDirectory) {
      await rename(aside, file);
      return;
    }
    await link(aside, file);
  } catch (error) {
    if (!isTaken(error) && !isNotFound(error)) throw error;
  }
  await rm(aside, { recursive: true, force: true });
}

function asideName(file: string): string {
  return `${file}.${randomBytes(6).toString('hex')}.stale`;
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner> | null;
    if (value && typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string' && typeof value.acquiredAt === 'string') {
      return {
        ...value,
        thread: typeof value.thread === 'number' ? value.thread : 0,
        startTime: typeof value.startTime === 'string' ? value.startTime : null,
        pidNamespace: typeof value.pidNamespace === 'string' ? value.pidNamespace : null,
      } as LockOwner;
    }
  } catch {
    // not (yet) a complete owner record
  }
  return null;
}

async function enterQueue(file: string, signal: AbortSignal | undefined): Promise<() => void> {
  const previous = queues.get(file) ?? Promise.resolve();
  let leave!: () => void;
  const mine = new Promise<void>((resolve) => (leave = resolve));
  const tail = previous.then(() => mine);
  queues.set(file, tail);
  void tail.then(() => {
    if (queues.get(file) === tail) queues.delete(file);
  });
  try {
    await raceAbort(previous, signal);
  } catch (error) {
    // Those queued behind still wait for `previous` through `tail`; we just step out.
    leave();
    throw error;
  }
  return leave;
}

function raceAbort(promise: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
