import { type SessionKey } from '@sessions/core';
import { matchesFilter, type ModelDefinition, type ResolvedFilter } from '@sessions/core/engine';
import type { Fence } from './fence.js';
import type { SessionPaths } from './layout.js';
import { newLogId, viewOf } from './log-view.js';
import { readMessages } from './read-messages.js';
import { scanFor } from './store-records.js';
import type { StoreFiles } from './store-files.js';

type Row = Readonly<Record<string, unknown>>;
type Changes = Readonly<Record<string, unknown>>;

/**
 * Sets `set` on every record `where` matches, one session at a time under its lock. Matches
 * found without the lock are checked again under it: only what still matches changes.
 */
export async function updateWhere(files: StoreFiles, model: ModelDefinition, where: ResolvedFilter, set: Changes): Promise<number> {
  let count = 0;
  for (const { paths, stored } of await scanFor(files, where)) {
    if (model.name === 'sessions') {
      if (!matchesFilter(where, stored.session as unknown as Row)) continue;
      count += await files.locks.run(paths, async (fence) => {
        const current = await files.sessions.read(paths, stored.session);
        if (!current || !matchesFilter(where, current.session as unknown as Row)) return 0;
        await files.sessions.write(paths, { session: { ...current.session, ...set, version: current.session.version + 1 }, log: current.log }, fence);
        return 1;
      });
    } else {
      const messages = await readMessages(files, paths, stored.session, {});
      if (!messages.some((message) => matchesFilter(where, message as unknown as Row))) continue;
      count += await files.locks.run(paths, (fence) => updateMessages(files, paths, stored.session, where, set, fence));
    }
  }
  return count;
}

async function updateMessages(files: StoreFiles, paths: SessionPaths, key: SessionKey, where: ResolvedFilter, set: Changes, fence: Fence): Promise<number> {
  const stored = await files.sessions.read(paths, key);
  if (!stored) return 0;
  const messages = await files.log.readAllLocked(paths.messages, key, viewOf(stored));
  let count = 0;
  const updated = messages.map((message) => {
    if (!matchesFilter(where, message as unknown as Row)) return message;
    count++;
    return { ...message, ...set };
  });
  if (count === 0) return 0;
  // The new log id goes first: a reader that pairs it with the old file only misses the cache.
  const logId = newLogId();
  await files.sessions.write(paths, { session: stored.session, log: { ...stored.log, id: logId } }, fence);
  // The rewritten file is this change itself, not a clean-up: losing the lock here fails it.
  await files.log.replace(paths.messages, logId, updated, fence);
  return count;
}
