import type { SessionKey } from '@sessions/core';
import type { TruncateMessagesOptions } from '@sessions/core/engine';
import { afterCommit } from './after-commit.js';
import type { Fence } from './fence.js';
import type { SessionPaths } from './layout.js';
import { newLogId, viewOf } from './log-view.js';
import type { StoredSession } from './records.js';
import type { StoreFiles } from './store-files.js';

/** Deletes the messages after `options.afterSeq` from a session whose lock is held; returns how many went. */
export async function truncateMessages(
  files: StoreFiles,
  paths: SessionPaths,
  key: SessionKey,
  stored: StoredSession,
  options: TruncateMessagesOptions,
  fence: Fence,
): Promise<number> {
  const session = { ...stored.session, updatedAt: new Date(options.updatedAt.getTime()) };
  if (stored.session.lastSeq <= options.afterSeq) {
    await files.sessions.write(paths, { session, log: stored.log }, fence);
    return 0;
  }
  const messages = await files.log.readAllLocked(paths.messages, key, viewOf(stored));
  const kept = messages.filter((message) => message.seq <= options.afterSeq);
  const removed = messages.length - kept.length;
  if (removed === 0) {
    await files.sessions.write(paths, { session, log: stored.log }, fence);
    return 0;
  }
  // The session file commits, with a new log id; the old file (all lines) stays in place
  // until the rename, and a crash may keep it there. Readers count lines from the start,
  // so they stop before the deleted ones; `truncated` tells those reading from the end
  // (and the deleted seqs are never reused, so it can stay). Then the kept lines replace
  // the file: the deleted ones are gone from the disk, not only hidden.
  const logId = newLogId();
  const afterSeq = kept.at(-1)?.seq ?? stored.log.clearedThroughSeq;
  await files.sessions.write(
    paths,
    {
      session: { ...session, messageCount: stored.session.messageCount - removed },
      log: { id: logId, clearedThroughSeq: stored.log.clearedThroughSeq, truncated: { afterSeq, throughSeq: stored.session.lastSeq } },
    },
    fence,
  );
  await afterCommit(files.log.replace(paths.messages, logId, kept, fence));
  return removed;
}
