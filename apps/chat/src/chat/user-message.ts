import { assertId, isPlainObject } from '@sessions/core/engine';
import type { UIMessage } from 'ai';
import { HttpError } from '../http/http-error.js';

/**
 * The one message the page sends with a turn. Everything else the model sees comes from the
 * store, so this is all the client is trusted with: a user message of text parts, within the
 * app's length limit, with an id the store can keep (so it stays the same after a reload).
 */
export function userMessageFrom(value: unknown, maxChars: number): UIMessage {
  if (!isPlainObject(value)) throw new HttpError(400, 'BAD_MESSAGE', 'Send the new message as { id, role: "user", parts }.');
  const message = value as Partial<UIMessage>;
  if (message.role !== 'user') throw new HttpError(400, 'BAD_MESSAGE', 'Only a user message can be sent.');
  if (typeof message.id !== 'string' || !isStorableId(message.id))
    throw new HttpError(400, 'BAD_MESSAGE', 'The message id must be 1 to 255 visible characters.');
  if (!Array.isArray(message.parts) || message.parts.length === 0) throw new HttpError(400, 'EMPTY', 'Type a message first.');
  const texts: string[] = [];
  for (const part of message.parts as unknown[]) {
    const { type, text } = (isPlainObject(part) ? part : {}) as { type?: unknown; text?: unknown };
    if (type !== 'text' || typeof text !== 'string') throw new HttpError(400, 'BAD_MESSAGE', 'A message holds text parts only in this app.');
    texts.push(text);
  }
  const text = texts.join('\n').trim();
  if (!text) throw new HttpError(400, 'EMPTY', 'Type a message first.');
  if (text.length > maxChars) throw new HttpError(400, 'TOO_LONG', `A message is at most ${maxChars.toLocaleString('en')} characters.`);
  return { id: message.id, role: 'user', parts: [{ type: 'text', text }] };
}

function isStorableId(id: string): boolean {
  try {
    assertId(id, 'id');
    return id.length <= 255;
  } catch {
    return false;
  }
}
