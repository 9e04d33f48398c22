import { and, type Engine, type Filter, type Session } from '@sessions/core';
import type { Progress } from './progress.js';
import { formatCount } from './progress.js';
import { keyIn, scanSessions } from './scan.js';

export interface BulkResult {
  sessions: number;
  messages: number;
}

export interface BulkOptions {
  signal?: AbortSignal | undefined;
  progress?: Progress | undefined;
  pageSize?: number;
}

const PAGE_SIZE = 500;

/** How many sessions match, and how many messages they hold, without changing anything. */
export async function countMatching(engine: Engine, where: Filter, options: BulkOptions = {}): Promise<BulkResult> {
  const result = { sessions: 0, messages: 0 };
  for await (const page of scanSessions(engine, { where, pageSize: options.pageSize ?? PAGE_SIZE, signal: options.signal })) {
    result.sessions += page.length;
    result.messages += sumMessages(page);
    options.progress?.update(result.sessions, `${formatCount(result.messages)} messages`);
  }
  return result;
}

/**
 * Deletes every session matching `where`, with its messages, one page at a time: each
 * delete is a bounded statement (no store-wide transaction), progress can be shown, and
 * `where` is applied again by the delete itself, so a session that stopped matching since
 * it was listed survives. Messages are counted from the deleted sessions' `messageCount`.
 */
export async function deleteMatching(engine: Engine, where: Filter, options: BulkOptions = {}): Promise<BulkResult> {
  return changeMatching(
    engine,
    where,
    options,
    (pageWhere) => engine.delete('sessions', { where: pageWhere }),
    () => false,
  );
}

/** Archives every session matching `where` (which should include `status = active`), page by page. */
export async function archiveMatching(engine: Engine, where: Filter, now: Date, options: BulkOptions = {}): Promise<BulkResult> {
  return changeMatching(
    engine,
    where,
    options,
    (pageWhere) => engine.update('sessions', { where: pageWhere, set: { status: 'archived', updatedAt: now } }),
    (session) => session.status === 'archived' && session.updatedAt.getTime() === now.getTime(),
  );
}

/**
 * `change` writes one page; `changedByUs` tells, for a session still present after the write,
 * whether the write reached it (used only when the write reports fewer rows than the page).
 */
async function changeMatching(
  engine: Engine,
  where: Filter,
  options: BulkOptions,
  change: (where: Filter) => Promise<number>,
  changedByUs: (session: Session) => boolean,
): Promise<BulkResult> {
  const result = { sessions: 0, messages: 0 };
  for await (const page of scanSessions(engine, { where, pageSize: options.pageSize ?? PAGE_SIZE, signal: options.signal })) {
    const pageWhere = and(where, keyIn(page));
    const changed = await change(pageWhere);
    result.sessions += changed;
    if (changed === page.length) result.messages += sumMessages(page);
    else {
      // Some sessions changed between listing and the write: count only those it reached.
      const present = await engine.findMany('sessions', { where: keyIn(page) });
      const untouched = new Set(present.filter((session) => !changedByUs(session)).map((session) => `${session.userId}\u0000${session.sessionId}`));
      result.messages += sumMessages(page.filter((session) => !untouched.has(`${session.userId}\u0000${session.sessionId}`)));
    }
    options.progress?.update(result.sessions, `${formatCount(result.messages)} messages`);
  }
  return result;
}

function sumMessages(sessions: readonly Session[]): number {
  return sessions.reduce((sum, session) => sum + session.messageCount, 0);
}
