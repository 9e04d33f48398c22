import type { JsonObject, JsonValue } from '../json.js';
import { defineModel } from './model.js';
import { ID_MAX_LENGTH } from './session-model.js';

/** Who wrote a message. */
export type MessageRole = 'system' | 'user' | 'assistant' | 'tool';
/** Every `MessageRole`. */
export const MESSAGE_ROLES: readonly MessageRole[] = Object.freeze(['system', 'user', 'assistant', 'tool']);

/** A string, or an array of JSON parts (text, images, tool results ... in the app's own shape). */
export type MessageContent = string | JsonValue[];

/** A stored message, as every engine returns it. */
export interface Message {
  userId: string;
  sessionId: string;
  /** 1, 2, 3 ... per session, gap-free, assigned by the store. */
  seq: number;
  /** Unique within the session; client-supplied or generated. */
  id: string;
  role: MessageRole;
  content: MessageContent;
  name: string | null;
  toolCalls: JsonValue[] | null;
  toolCallId: string | null;
  agentId: string | null;
  runId: string | null;
  metadata: JsonObject;
  createdAt: Date;
}

export const MessageModel = defineModel({
  name: 'messages',
  fields: {
    userId: { type: 'string', nullable: false, column: 'user_id', maxLength: ID_MAX_LENGTH },
    sessionId: { type: 'string', nullable: false, column: 'session_id', maxLength: ID_MAX_LENGTH },
    seq: { type: 'integer', nullable: false, column: 'seq' },
    id: { type: 'string', nullable: false, column: 'id', maxLength: ID_MAX_LENGTH },
    role: { type: 'string', nullable: false, column: 'role', values: MESSAGE_ROLES, maxLength: 16 },
    content: { type: 'json', nullable: false, column: 'content' },
    name: { type: 'string', nullable: true, column: 'name', maxLength: ID_MAX_LENGTH },
    toolCalls: { type: 'json', nullable: true, column: 'tool_calls' },
    toolCallId: { type: 'string', nullable: true, column: 'tool_call_id', maxLength: ID_MAX_LENGTH },
    agentId: { type: 'string', nullable: true, column: 'agent_id', maxLength: ID_MAX_LENGTH },
    runId: { type: 'string', nullable: true, column: 'run_id', maxLength: ID_MAX_LENGTH },
    metadata: { type: 'json', nullable: false, column: 'metadata' },
    createdAt: { type: 'timestamp', nullable: false, column: 'created_at' },
  },
  primaryKey: ['userId', 'sessionId', 'seq'],
  indexes: [{ name: 'messages_user_session_id', fields: ['userId', 'sessionId', 'id'], unique: true }],
  filterableJsonField: 'metadata',
});

export type MessageField = keyof typeof MessageModel.fields;
