import type { NewMessage } from '../engine/engine.js';
import type { SessionKey } from '../errors.js';
import { newMessageId } from '../ids.js';
import type { Shape, Fields } from '../input/shape.js';
import type { MessageInput } from './message-input.js';
import { assertMessageSize } from './message-size.js';

/**
 * The record for a message input, with defaults filled in. Only its keys and size are checked
 * here: its values are validated once, by the engine, before anything is written.
 */
export function newMessage(key: SessionKey, input: MessageInput, now: Date, shape: Shape<Fields>, maxMessageBytes: number, path: string): NewMessage {
  shape.assertKeys(input, path);
  const message: NewMessage = {
    userId: key.userId,
    sessionId: key.sessionId,
    id: input.id ?? newMessageId(),
    role: input.role,
    content: input.content,
    name: input.name ?? null,
    toolCalls: input.toolCalls ?? null,
    toolCallId: input.toolCallId ?? null,
    agentId: input.agentId ?? null,
    runId: input.runId ?? null,
    metadata: input.metadata ?? {},
    createdAt: now,
  };
  assertMessageSize(message, maxMessageBytes, path);
  return message;
}
