import { cloneJson, type JsonValue } from '../json.js';
import type { Message } from '../models/message-model.js';
import type { Session } from '../models/session-model.js';

export function copySession(session: Session): Session {
  return {
    userId: session.userId,
    sessionId: session.sessionId,
    title: session.title,
    metadata: cloneJson(session.metadata),
    state: cloneJson(session.state),
    status: session.status,
    createdAt: new Date(session.createdAt.getTime()),
    updatedAt: new Date(session.updatedAt.getTime()),
    expiresAt: session.expiresAt && new Date(session.expiresAt.getTime()),
    parentSessionId: session.parentSessionId,
    parentSeq: session.parentSeq,
    messageCount: session.messageCount,
    lastSeq: session.lastSeq,
    version: session.version,
  };
}

export function copyMessage(message: Message): Message {
  return {
    userId: message.userId,
    sessionId: message.sessionId,
    seq: message.seq,
    id: message.id,
    role: message.role,
    content: cloneJson(message.content),
    name: message.name,
    toolCalls: message.toolCalls && cloneJson(message.toolCalls),
    toolCallId: message.toolCallId,
    agentId: message.agentId,
    runId: message.runId,
    metadata: cloneJson(message.metadata),
    createdAt: new Date(message.createdAt.getTime()),
  };
}

/** The defined fields of a change, deep-copied so the caller's objects never become stored ones. */
export function copyFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    copy[field] = value instanceof Date ? new Date(value.getTime()) : cloneJson(value as JsonValue);
  }
  return copy;
}
