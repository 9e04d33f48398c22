import { ValidationError } from '../errors.js';
import { utf8Length } from '../json.js';
import type { NewMessage } from '../engine/engine.js';

/** The default of `limits.maxMessageBytes`: 1 MiB. */
export const DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024;

/** A message's size as the limits count it: UTF-8 bytes of its content, tool calls and metadata as JSON. */
export function messageBytes(message: Pick<NewMessage, 'content' | 'toolCalls' | 'metadata'>): number {
  return (
    (typeof message.content === 'string' ? utf8Length(message.content) : utf8Length(JSON.stringify(message.content))) +
    (message.toolCalls ? utf8Length(JSON.stringify(message.toolCalls)) : 0) +
    utf8Length(JSON.stringify(message.metadata))
  );
}

/**
 * Refuses a message over `maxMessageBytes`, whichever way it arrives (append, create or import).
 * It runs before the engine validates the message, so a message whose parts cannot be measured
 * (not JSON) passes here and the engine's validation refuses it, naming the part.
 */
export function assertMessageSize(message: Pick<NewMessage, 'content' | 'toolCalls' | 'metadata'>, maxMessageBytes: number, path: string): void {
  let bytes: number;
  try {
    bytes = messageBytes(message);
  } catch {
    return;
  }
  if (bytes > maxMessageBytes) {
    throw new ValidationError(`is ${bytes} bytes, over the limit of ${maxMessageBytes} (limits.maxMessageBytes)`, { path });
  }
}
