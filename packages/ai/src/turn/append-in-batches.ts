import type { Message, MessageInput } from '@sessions/core';

/** Appends in order, at most `batchSize` messages per (atomic) append. */
export async function appendInBatches(
  append: (messages: MessageInput[]) => Promise<Message[]>,
  messages: readonly MessageInput[],
  batchSize: number,
): Promise<Message[]> {
  const stored: Message[] = [];
  for (let start = 0; start < messages.length; start += batchSize) {
    stored.push(...(await append(messages.slice(start, start + batchSize))));
  }
  return stored;
}
