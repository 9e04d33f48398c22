import { ValidationError } from '@sessions/core';
import { describeType, isPlainObject } from '@sessions/core/engine';
import type { ModelMessage } from 'ai';

/** What a turn takes: the user's text, or model messages (multimodal user content, tool results for client-side tools). */
export type AgentInput = string | ModelMessage | readonly ModelMessage[];

/** Where a turn runs: the user's session `sessionId`, or a new session when it is omitted. */
export interface AgentTarget {
  userId: string;
  sessionId?: string;
}

export function normalizeInput(input: AgentInput): ModelMessage[] {
  if (typeof input === 'string') {
    if (input.length === 0) throw new ValidationError('is empty: pass the user message text', { path: 'input' });
    return [{ role: 'user', content: input }];
  }
  const list = Array.isArray(input) ? [...(input as readonly ModelMessage[])] : [input as ModelMessage];
  if (list.length === 0) throw new ValidationError('is an empty list: pass at least one message', { path: 'input' });
  list.forEach((message, i) => {
    if (!isPlainObject(message)) throw new ValidationError(`expected a model message, got ${describeType(message)}`, { path: `input[${i}]` });
    if (message.role === 'system') {
      throw new ValidationError('is a system message: set the system prompt with the `system` option, or store one with session.addMessage()', {
        path: `input[${i}]`,
      });
    }
  });
  return list;
}

export function assertTarget(target: unknown): asserts target is AgentTarget {
  if (!isPlainObject(target)) throw new ValidationError(`expected { userId, sessionId? }, got ${describeType(target)}`, { path: 'target' });
}
