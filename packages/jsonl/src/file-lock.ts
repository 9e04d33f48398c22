import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { threadId } from 'node:worker_threads';
import { sleep } from '@sessions/core';
import { LockTimeoutError } from './errors.js';
import { isAlreadyExists, isNotFound, readFileIfExists, removeFile } from './fs-utils.js';

export interface FileLockOptions {
  /** A lock file older than this is presumed abandoned and removed. */
  readonly staleMs: number;
  /** Give up waiting for a lock file after this long. */
  readonly timeoutMs: number;
}

/** What the holder of a lock learns when it gets it. */
export interface LockGrant {
  /** True if an abandoned lock file (from a crashed process) was removed on the way in. */
  readonly brokeStale: boolean;
}

interface LockOwner {
  pid: number;
  /** The worker thread within the process (0 for the main thread). */
  thread: number;
  host: string;
  token: string;
  acquiredAt: string;
}

type Inspection =
  | { readonly state: 'gone' }
  | { readonly state: 'live' | 'stale'; readonly raw: string; readonly ino: bigint; readonly description: string };

const HOST = hostname();

interface ProcessState {
  /** Tokens of the lock files this thread holds, shared by every engine in it. */
  readonly heldTokens: Set<string>;
  /** Per lock file, the tail of this thread's queue, so callers in one thread wait in order instead of polling. */
  readonly queues: Map<string, Promise<void>>;
}

// Kept on globalThis so two copies of this module in one thread (bundles, dual installs) still agree.
const STATE_KEY = Symbol.for('@sessions/jsonl/file-locks');
const state: ProcessState = ((globalThis as Record<symbol, ProcessState | undefined>)[STATE_KEY] ??= { heldTokens: new Set(), queues: new Map() });
const { heldTokens, queues } = state;

/**
 * Cross-process mutual exclusion with one lock file per guarded thing.
 *
 * Taking the lock is `open(file, 'wx')` (O_CREAT|O_EXCL): the file system lets exactly one
 * process create the file. It holds the owner's pid, host, a random token and the time. A
 * waiter polls with jittered exponential backoff (1 to 25 ms) and honours an AbortSignal.
 * A lock file is abandoned, and removed, when its process is gone (same host: `kill(pid, 0)`
 * fails with ESRCH), when it names this process and thread but a token they do not hold (a
 * recycled pid), or when it is older than `staleMs` (other hosts, or a recycled pid that is
 * alive). Removal renames the file aside and checks it moved the very file it judged, so
 * two waiters breaking the same abandoned lock cannot both delete it; release removes the
 * file only if it still carries the holder's token.
 *
 * Callers in one process queue in memory first, so only one of them at a time polls.
 */
export class FileLocks {
  readonly #options: FileLockOptions;

  constructor(options: FileLockOptions) {
    this.#options = Object.freeze({ ...options });
  }

  /** Runs `fn` while holding the lock file `file`; the lock is released however `fn` ends. */
  async run<T>(file: string, signal: AbortSignal | undefined, fn: (grant: LockGrant) => Promise<T>): Promise<T> {
    const leave = await enterQueue(file, signal);
    try {
      const { token, brokeStale } = await this.#acquire(file, signal);
      try {
        return await fn({ brokeStale });
      } finally {
        await release(file, token);
      }
    } finally {
      leave();
    }
  }

  async #acquire(file: string, signal: AbortSignal | undefined): Promise<{ token: string; brokeStale: boolean }> {
    const token = randomBytes(12).toString('base64url');
    const owner: LockOwner = { pid: process.pid, thread: threadId, host: HOST, token, acquiredAt: new Date().toISOString() };
    const started = performance.now();
    let backoffMs = 1;
    let brokeStale = false;
    let holder = 'holder unknown';
    for (;;) {
      signal?.throwIfAborted();
      if (await tryCreate(file, owner)) return { token, brokeStale };
      const seen = await inspect(file, this.#options.staleMs);
      if (seen.state === 'gone') continue;
      holder = seen.description;
      if (seen.state === 'stale') {
        brokeStale = (await breakStale(file, seen)) || brokeStale;
        continue;
      }
      const waited = performance.now() - started;
      if (waited >= this.#options.timeoutMs) throw new LockTimeoutError(file, Math.round(waited), holder);
      await sleep(Math.min(backoffMs * (0.5 + Math.random()), this.#options.timeoutMs - waited), signal);
      backoffMs = Math.min(backoffMs * 2, 25);
    }
  }
}

async function tryCreate(file: string, owner: LockOwner): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'wx');
  } catch (error) {
    if (isAlreadyExists(error)) return false;
    if (!isNotFound(error)) throw error;
    // The first write for a user creates the user's folder.
    await mkdir(dirname(file), { recursive: true });
    return tryCreate(file, owner);
  }
  // Registered before the content is written, so this process never judges its own lock abandoned.
  heldTokens.add(owner.token);
  try {
    await handle.writeFile(`${JSON.stringify(owner)}\n`);
  } catch (error) {
    heldTokens.delete(owner.token);
    await handle.close().catch(() => undefined);
    await removeFile(file).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return true;
}

async function inspect(file: string, staleMs: number): Promise<Inspection> {
  let raw: string;
  let ino: bigint;
  let mtimeMs: number;
  try {
    const stats = await stat(file, { bigint: true });
    ino = stats.ino;
    mtimeMs = Number(stats.mtimeMs);
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return { state: 'gone' };
    throw error;
  }
  const owner = parseOwner(raw);
  if (!owner) {
    // Created but not written yet, or its creator died in between: only its age can tell.
    const age = Date.now() - mtimeMs;
    return { state: age > staleMs ? 'stale' : 'live', raw, ino, description: `unreadable lock file, ${Math.round(age)} ms old` };
  }
  let stale = Date.now() - Date.parse(owner.acquiredAt) > staleMs;
  if (owner.host === HOST) {
    // Our own pid and thread but a token we do not hold: left by an earlier process that had this pid.
    if (owner.pid === process.pid && owner.thread === threadId) stale ||= !heldTokens.has(owner.token);
    else if (owner.pid !== process.pid) stale ||= !isProcessAlive(owner.pid);
  }
  return { state: stale ? 'stale' : 'live', raw, ino, description: `held by pid ${owner.pid} on ${owner.host} since ${owner.acquiredAt}` };
}

/** Removes an abandoned lock file; false if it was no longer the one judged abandoned. */
async function breakStale(file: string, judged: Extract<Inspection, { raw: string }>): Promise<boolean> {
  const aside = `${file}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(file, aside);
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
  const moved = await readFileIfExists(aside);
  const movedIno = await stat(aside, { bigint: true }).then((s) => s.ino, () => null);
  if (moved === judged.raw && movedIno === judged.ino) {
    await removeFile(aside);
    return true;
  }
  // The abandoned file went away between our look and the rename, and another process took
  // the lock: put its file back, unless a third one already took the free slot.
  try {
    await link(aside, file);
  } catch (error) {
    if (!isAlreadyExists(error) && !isNotFound(error)) throw error;
  }
  await removeFile(aside);
  return false;
}

async function release(file: string, token: string): Promise<void> {
  try {
    const raw = await readFileIfExists(file);
    if (raw !== null && parseOwner(raw)?.token === token) await removeFile(file);
  } finally {
    heldTokens.delete(token);
  }
}

function parseOwner(raw: string): LockOwner | null {
  try {
    const value = JSON.parse(raw) as Partial<LockOwner> | null;
    if (value && typeof value.pid === 'number' && typeof value.host === 'string' && typeof value.token === 'string' && typeof value.acquiredAt === 'string') {
      return { ...value, thread: typeof value.thread === 'number' ? value.thread : 0 } as LockOwner;
    }
  } catch {
    // not (yet) a complete owner record
  }
  return null;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
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
