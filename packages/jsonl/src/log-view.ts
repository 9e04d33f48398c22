import type { StoredSession } from './records.js';

/**
 * What a session file says about its messages file. The committed messages are the lines
 * with `clearedThroughSeq < seq <= lastSeq`, and there are `messageCount` of them, at the
 * start of the file (after lines a crashed clear left behind). Everything after them is an
 * append that never committed (a crash between writing the lines and the session file) or
 * a line torn by a crash: readers ignore it and the next writer cuts it off.
 */
export interface LogView {
  readonly id: string;
  readonly clearedThroughSeq: number;
  readonly lastSeq: number;
  readonly messageCount: number;
}

export function viewOf(stored: StoredSession): LogView {
  return {
    id: stored.log.id,
    clearedThroughSeq: stored.log.clearedThroughSeq,
    lastSeq: stored.session.lastSeq,
    messageCount: stored.session.messageCount,
  };
}
