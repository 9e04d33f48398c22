import { ValidationError, type JsonObject, type JsonValue, type Message } from '@sessions/core';
import { describeType, isPlainObject } from '@sessions/core/engine';

/**
 * How this package marks what it stores in a message's `metadata`:
 *
 * - `metadata.ai.providerOptions`: a model message's `providerOptions`.
 * - `metadata.ai.format = 'ui-message'`: the message is a `UIMessage` (its parts are the
 *   `content`); `metadata.ai.uiMetadata` holds the UI message's own `metadata`, and
 *   `metadata.ai.uiId` its id when that id could not be the stored id.
 * - `metadata.compaction = { upToSeq }`: a summary (role `system`) standing in for every
 *   message up to `upToSeq` in what is sent to the model.
 *
 * Messages without these marks (written by other code) read as plain model messages.
 */
export interface AiMessageMetadata {
  format?: 'ui-message';
  uiId?: string;
  uiMetadata?: JsonValue;
  providerOptions?: JsonObject;
}

export interface CompactionMark {
  upToSeq: number;
}

export type StoredMessage = Pick<Message, 'role' | 'content' | 'metadata'> & Partial<Message>;

export function aiMetadataOf(message: Pick<Message, 'metadata'>): AiMessageMetadata {
  const value = message.metadata['ai'];
  return isPlainObject(value) ? value : {};
}

export function isUiMessageRecord(message: Pick<Message, 'metadata'>): boolean {
  return aiMetadataOf(message).format === 'ui-message';
}

export function compactionOf(message: Pick<Message, 'role' | 'metadata'>): CompactionMark | null {
  if (message.role !== 'system') return null;
  const mark = message.metadata['compaction'];
  if (!isPlainObject(mark)) return null;
  const upToSeq = mark['upToSeq'];
  return typeof upToSeq === 'number' && Number.isSafeInteger(upToSeq) && upToSeq >= 0 ? { upToSeq } : null;
}

const ROLES: ReadonlySet<unknown> = new Set(['system', 'user', 'assistant', 'tool']);

/**
 * Checks that `messages` are stored messages (what `SessionManager.messages` returns) before
 * they are read field by field, so a wrong argument is a `ValidationError` naming the place
 * rather than a `TypeError` from deep inside a conversion. Message inputs (from
 * `fromModelMessages`, `fromUIMessages`) pass too: they have no id or seq yet.
 */
export function assertStoredMessages(messages: unknown): asserts messages is readonly Message[] {
  if (!Array.isArray(messages))
    throw new ValidationError(`expected an array of stored messages (from SessionManager.messages), got ${describeType(messages)}`, { path: 'messages' });
  messages.forEach((message: unknown, i) => {
    const path = `messages[${i}]`;
    if (!isPlainObject(message))
      throw new ValidationError(`expected a stored message { role, content, metadata, ... }, got ${describeType(message)}`, { path });
    if (!ROLES.has(message['role']))
      throw new ValidationError(`role must be system, user, assistant or tool, got ${JSON.stringify(message['role']) ?? 'undefined'}`, {
        path: `${path}.role`,
      });
    const content = message['content'];
    if (typeof content !== 'string' && !Array.isArray(content))
      throw new ValidationError(`must be a string or an array of parts, got ${describeType(content)}`, { path: `${path}.content` });
    if (!isPlainObject(message['metadata']))
      throw new ValidationError(`must be an object, got ${describeType(message['metadata'])}`, { path: `${path}.metadata` });
    if (message['id'] !== undefined && typeof message['id'] !== 'string')
      throw new ValidationError(`must be a string, got ${describeType(message['id'])}`, { path: `${path}.id` });
  });
}
