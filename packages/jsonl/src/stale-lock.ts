import { link, lstat, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound } from './fs-utils.js';
import { isAbandoned, parseOwner, readOwnerRecord } from './lock-owner.js';
import { asideName, isTaken, OWNER_FILE, PREPARED_SUFFIX, preparedToken } from './lock-paths.js';

/** What a waiter sees of a lock it could not take. */
export type Inspection =
  { readonly state: 'gone' } | { readonly state: 'live' | 'stale'; readonly raw: string; readonly ino: bigint; readonly description: string };

export async function inspect(file: string, staleMs: number): Promise<Inspection> {
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

/** Removes an abandoned lock; false if it was no longer the one judged abandoned. */
export async function breakStale(file: string, judged: Extract<Inspection, { raw: string }>): Promise<boolean> {
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
 * Whether `path` is a lock folder a waiter prepared and then abandoned (it died waiting): a
 * live waiter writes its owner record again before every try, so its record is never older
 * than `staleMs`.
 */
export async function isAbandonedPreparedLock(path: string, staleMs: number): Promise<boolean> {
  if (!path.endsWith(PREPARED_SUFFIX)) return false;
  const token = preparedToken(path);
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
