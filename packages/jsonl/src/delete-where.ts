import type { Session } from '@sessions/core';
import type { ResolvedFilter } from '@sessions/core/engine';
import { afterCommit } from './after-commit.js';
import type { Fence } from './fence.js';
import type { SessionPaths } from './layout.js';
import { scanFor } from './store-records.js';
import type { StoreFiles } from './store-files.js';

/**
 * Deletes every session among those `where` can match for which `matches` holds, each under
 * its lock; a match found without the lock is checked again under it.
 */
export async function deleteWhere(files: StoreFiles, where: ResolvedFilter, matches: (session: Session) => boolean): Promise<number> {
  let count = 0;
  for (const { paths, stored } of await scanFor(files, where)) {
    if (!matches(stored.session)) continue;
    const deleted = await files.locks.run(paths, async (fence) => {
      const current = await files.sessions.read(paths, stored.session);
      return current !== null && matches(current.session) && (await deleteSessionFiles(files, paths, fence));
    });
    if (deleted) count++;
  }
  return count;
}

/** Under the session's lock. The lease file stays so tokens keep growing if the id is used again. */
export async function deleteSessionFiles(files: StoreFiles, paths: SessionPaths, fence: Fence): Promise<boolean> {
  const deleted = await files.sessions.remove(paths, fence);
  await afterCommit(files.log.remove(paths.messages, fence));
  return deleted;
}
