import { type Engine, type Filter, type SessionKey } from '@sessions/core';
import { isExpiredAt } from '@sessions/core/engine';
import { keyIn, scanSessions } from '../scan.js';
import { differingFields } from './compare.js';

export interface Mismatch {
  userId: string;
  sessionId: string;
  reason: string;
}

export interface Verification {
  ok: boolean;
  /** Sessions and messages checked in the source. */
  sessions: number;
  messages: number;
  /** What the target holds for the same keys. */
  targetSessions: number;
  targetMessages: number;
  /** Up to 100. */
  mismatches: Mismatch[];
  mismatchCount: number;
  /**
   * Expired sessions left out of the comparison because the target has a native TTL and may
   * have dropped them already. On other targets expired sessions are compared like the rest.
   */
  expiredMeanwhile: number;
}

const MAX_LISTED = 100;

/**
 * Checks, page by page, that every source session matching `where` is in the target with
 * the same fields and counters, and that both stores hold the same number of message rows
 * for those sessions (counted in the stores, not taken from the counters). Keys listed in
 * `ignore` (reported conflicts) are left out.
 */
export async function verifyCopy(
  source: Engine,
  target: Engine,
  options: { where?: Filter | undefined; pageSize: number; ignore: ReadonlySet<string>; signal?: AbortSignal | undefined; onPage?(checked: number): void },
): Promise<Verification> {
  const result: Verification = {
    ok: true,
    sessions: 0,
    messages: 0,
    targetSessions: 0,
    targetMessages: 0,
    mismatches: [],
    mismatchCount: 0,
    expiredMeanwhile: 0,
  };
  const mismatch = (key: SessionKey, reason: string): void => {
    result.ok = false;
    result.mismatchCount++;
    if (result.mismatches.length < MAX_LISTED) result.mismatches.push({ userId: key.userId, sessionId: key.sessionId, reason });
  };
  const dropsExpired = target.capabilities.nativeTtl;
  for await (const listed of scanSessions(source, { where: options.where, pageSize: options.pageSize, signal: options.signal })) {
    const now = Date.now();
    const page = listed.filter((session) => {
      if (options.ignore.has(keyString(session))) return false;
      // A store with native TTL may have dropped an expired session at any moment, even
      // between the two queries below; every other store keeps it until it is pruned, so
      // a copy made with --include-expired is checked like any other.
      if (dropsExpired && isExpiredAt(session, now)) {
        result.expiredMeanwhile++;
        return false;
      }
      return true;
    });
    if (page.length === 0) continue;
    const where = keyIn(page);
    const copies = new Map((await target.findMany('sessions', { where })).map((session) => [keyString(session), session]));
    for (const session of page) {
      result.sessions++;
      result.messages += session.messageCount;
      const copy = copies.get(keyString(session));
      if (!copy) {
        mismatch(session, 'missing from the target');
        continue;
      }
      result.targetSessions++;
      result.targetMessages += copy.messageCount;
      const differences = differingFields(session, copy);
      if (differences.length > 0) mismatch(session, `differs in ${differences.join(', ')}`);
      else if (copy.messageCount !== session.messageCount || copy.lastSeq !== session.lastSeq) {
        mismatch(
          session,
          `has ${copy.messageCount} messages up to seq ${copy.lastSeq} in the target, ${session.messageCount} up to seq ${session.lastSeq} in the source`,
        );
      }
    }
    // Counted in the stores, not taken from the counters: catches lost or orphaned rows.
    const [sourceRows, targetRows] = await Promise.all([source.count('messages', { where }), target.count('messages', { where })]);
    if (sourceRows !== targetRows) {
      mismatch(page[0]!, `the page of ${page.length} sessions starting here holds ${sourceRows} message rows in the source and ${targetRows} in the target`);
    }
    options.onPage?.(result.sessions);
  }
  return result;
}

export function keyString(key: SessionKey): string {
  return `${key.userId}\u0000${key.sessionId}`;
}
