import type { MessageRange } from '../engine/engine.js';
import type { Message } from '../models/message-model.js';

/** The messages in `range` (its seq bounds, then `last` or `limit`), from messages ascending by seq. */
export function messagesInRange(messages: readonly Message[], range: MessageRange): readonly Message[] {
  const after = range.afterSeq ?? 0;
  const before = range.beforeSeq ?? Number.POSITIVE_INFINITY;
  const start = firstIndexAbove(messages, after);
  let end = firstIndexAbove(messages, before - 1);
  let from = start;
  if (range.last !== undefined) from = Math.max(start, end - range.last);
  else if (range.limit !== undefined) end = Math.min(end, start + range.limit);
  return messages.slice(from, end);
}

/** The index of the first message whose seq is above `seq`, by binary search. */
export function firstIndexAbove(messages: readonly Message[], seq: number): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (messages[middle]!.seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}
