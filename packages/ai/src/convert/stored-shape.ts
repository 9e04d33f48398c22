import { isPlainObject, type JsonObject, type JsonValue, type Message } from '@sessions/core';

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
  return isPlainObject(value) ? (value as AiMessageMetadata) : {};
}

export function isUiMessageRecord(message: Pick<Message, 'metadata'>): boolean {
  return aiMetadataOf(message).format === 'ui-message';
}

export function compactionOf(message: Pick<Message, 'role' | 'metadata'>): CompactionMark | null {
  if (message.role !== 'system') return null;
  const mark = message.metadata['compaction'];
  if (!isPlainObject(mark)) return null;
  const upToSeq = (mark as JsonObject)['upToSeq'];
  return typeof upToSeq === 'number' && Number.isSafeInteger(upToSeq) && upToSeq >= 0 ? { upToSeq } : null;
}
