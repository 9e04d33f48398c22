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

/** Refuses a message over `maxMessageBytes`, whichever way it arrives (append, create or import). */
export function assertMessageSize(message: Pick<NewMessage, 'content' | 'toolCalls' | 'metadata'>, maxMessageBytes: number, path: string): void {
  const bytes = messageBytes(message);
  if (bytes > maxMessageBytes) {
    throw new ValidationError(`is ${bytes} bytes, over the limit of ${maxMessageBytes} (limits.maxMessageBytes)`, { path });
  }
}
