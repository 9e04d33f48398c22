import type { JsonObject, JsonValue } from '../json.js';
import type { MessageContent, MessageRole } from '../models/message-model.js';

/** A message as callers write it; the manager fills in the rest. */
export interface MessageInput {
  role: MessageRole;
  content: MessageContent;
  /** Unique within the session; generated (`msg_` + ULID) when absent. */
  id?: string;
  name?: string | null;
  toolCalls?: JsonValue[] | null;
  toolCallId?: string | null;
  agentId?: string | null;
  runId?: string | null;
  metadata?: JsonObject;
}
