import type { Session } from '@sessions/core';
import type { MessageRange, SessionWriteOptions } from '@sessions/core/engine';
import type { RecordCodec } from '../rows.js';

/**
 * Earlier than any `Date` (whose range is ±8.64e15 ms), so no session counts as expired at it:
 * binding it when the caller gave no `liveAt` keeps one statement for both cases.
 */
const BEFORE_ANY_EXPIRY = Number.MIN_SAFE_INTEGER;

/**
 * The session row is live at the bound time: it never expires or expires after it. Put it in
 * the WHERE of a statement inside the write transaction, or of the read's one statement, so
 * expiry is judged atomically with the write or read. The time is the caller's (`liveAt`), not
 * this machine's clock: session TTLs are set on the manager's clock.
 */
export function liveCondition(sessions: RecordCodec<Session>): string {
  const expiresAt = sessions.column('expiresAt');
  return `(${expiresAt} IS NULL OR ${expiresAt} > ?)`;
}

/** The value to bind to `liveCondition`'s parameter. */
export function liveAtParam(options: SessionWriteOptions | MessageRange): number {
  return options.liveAt?.getTime() ?? BEFORE_ANY_EXPIRY;
}
