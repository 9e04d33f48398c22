import type { MessageRange } from '@sessions/core/engine';

/**
 * The messages with `afterSeq < seq < beforeSeq` (ascending); of those, `last` keeps the newest
 * N and `limit` the oldest N. `BaseEngine` has refused `last` with `limit` already.
 */
export function sliceRange<T extends { seq: number }>(messages: readonly T[], range: MessageRange): T[] {
  const after = range.afterSeq ?? 0;
  const before = range.beforeSeq ?? Number.POSITIVE_INFINITY;
  const inRange = messages.filter((message) => message.seq > after && message.seq < before);
  if (range.last !== undefined) return inRange.slice(Math.max(0, inRange.length - range.last));
  if (range.limit !== undefined) return inRange.slice(0, range.limit);
  return inRange;
}
