import type { AgentInputItem } from '@openai/agents-core';
import type { Message } from '@sessions/core';
import { interpret } from './history.js';

/**
 * The item history that stored messages hold, oldest first: what `getItems()` returns for
 * them. For tools that read a session directly (an export, a chat UI) and need to skip the
 * tombstones earlier versions of `popItem` wrote, and the items they cancelled.
 *
 * @example
 * const items = itemsFromMessages(await sessions.messages({ userId, sessionId }))
 */
export function itemsFromMessages(messages: readonly Message[]): AgentInputItem[] {
  const stack: AgentInputItem[] = [];
  for (const message of [...messages].sort((a, b) => a.seq - b.seq)) {
    const entry = interpret(message);
    if (entry.kind === 'pop') stack.pop();
    else if (entry.kind === 'item') stack.push(entry.item);
  }
  return stack;
}
