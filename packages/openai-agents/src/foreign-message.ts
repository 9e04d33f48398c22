import type { AgentInputItem } from '@openai/agents-core';
import { type Message, type MessageContent } from '@sessions/core';
import { isPlainObject } from '@sessions/core/engine';

const TEXT_PART_TYPES: ReadonlySet<string> = new Set(['text', 'input_text', 'output_text']);

/**
 * The text of a message another tool wrote into the session (a chat app, `@sessions/ai`),
 * as an Agents SDK message item, so an agent can continue a conversation it did not start.
 * Only text carries over: tool calls and results in another tool's shape are skipped, since
 * a call without its matching result (or the reverse) would make the model request invalid.
 * Returns undefined for messages with no text.
 */
export function foreignItem(message: Message): AgentInputItem | undefined {
  if (message.role === 'tool') return undefined;
  const texts = textsOf(message.content);
  if (texts.length === 0) return undefined;
  switch (message.role) {
    case 'user':
      return typeof message.content === 'string'
        ? { type: 'message', role: 'user', content: message.content }
        : { type: 'message', role: 'user', content: texts.map((text) => ({ type: 'input_text', text })) };
    case 'system':
      return { type: 'message', role: 'system', content: texts.join('\n') };
    case 'assistant':
      return { type: 'message', role: 'assistant', status: 'completed', content: texts.map((text) => ({ type: 'output_text', text })) };
  }
}

function textsOf(content: MessageContent): string[] {
  if (typeof content === 'string') return content.length > 0 ? [content] : [];
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isPlainObject(part) && typeof part['type'] === 'string' && TEXT_PART_TYPES.has(part['type']) && typeof part['text'] === 'string') {
      texts.push(part['text']);
    }
  }
  return texts.filter((text) => text.length > 0);
}
