import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { isAbandonedPreparedLock } from './stale-lock.js';
import { isNotFound } from './fs-utils.js';
import type { SessionPaths } from './layout.js';

/**
 * After breaking an abandoned lock: what its holder left (locks moved aside, temporary files
 * of the earlier format), and locks that waiters prepared but never took because they died
 * waiting (older than `lockStaleMs`; a live waiter rewrites its owner record every try).
 */
export async function removeLeftovers(paths: SessionPaths, lockStaleMs: number): Promise<void> {
  const prefix = `${paths.name}.`;
  let names: string[];
  try {
    names = await readdir(paths.userDir);
  } catch (error) {
    if (isNotFound(error)) return;
    throw error;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const path = join(paths.userDir, name);
    if (name.endsWith('.tmp') || name.endsWith('.stale') || (await isAbandonedPreparedLock(path, lockStaleMs).catch(() => false))) {
      // Best effort: a waiter stopped for a while may be filling its prepared folder again.
      await rm(path, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}
