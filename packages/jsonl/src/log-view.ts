import { randomBytes } from 'node:crypto';
import type { StoredSession } from './records.js';

/** Returned by a read when the messages file no longer matches the view: re-read the session file and try again. */
export const LOG_CHANGED = Symbol('messages file changed');

/**
 * What a session file says about its messages file. The committed messages are the lines
 * with `clearedThroughSeq < seq <= lastSeq`, and there are `messageCount` of them, at the
 * start of the file (after lines a crashed clear left behind). Everything after them is an
 * append that never committed (a crash between writing the lines and the session file) or
 * a line torn by a crash, or lines a truncate deleted whose rewrite has not replaced the file
 * yet: readers ignore it and the next writer cuts it off.
 */
export interface LogView {
  readonly id: string;
  readonly clearedThroughSeq: number;
  readonly lastSeq: number;
  readonly messageCount: number;
  /** Seqs a truncate deleted (`afterSeq < seq <= throughSeq`): never committed lines, wherever they sit. */
  readonly truncated: { readonly afterSeq: number; readonly throughSeq: number } | undefined;
}

export function viewOf(stored: StoredSession): LogView {
  return {
    id: stored.log.id,
    clearedThroughSeq: stored.log.clearedThroughSeq,
    lastSeq: stored.session.lastSeq,
    messageCount: stored.session.messageCount,
    truncated: stored.log.truncated,
  };
}

/** A new id for a messages file: a session file names the file its view is of, so a reader can tell when it was replaced. */
export function newLogId(): string {
  return randomBytes(8).toString('hex');
}
