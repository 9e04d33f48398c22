import type { JsonObject, JsonValue, Message, Session } from '@sessions/core';

/** A session as the store file holds it: dates as ISO strings. */
export interface SessionJson extends Omit<Session, 'createdAt' | 'updatedAt' | 'expiresAt'> {
  createdAt: string;
  updatedAt: string;
  expiresAt: string | null;
}

/** A message as the store file holds it: dates as ISO strings. */
export interface MessageJson extends Omit<Message, 'createdAt'> {
  createdAt: string;
}

export function encodeSession(session: Session): SessionJson {
  return { ...session, createdAt: session.createdAt.toISOString(), updatedAt: session.updatedAt.toISOString(), expiresAt: session.expiresAt?.toISOString() ?? null };
}

export function decodeSession(json: SessionJson): Session {
  return {
    ...json,
    metadata: clone(json.metadata),
    state: clone(json.state),
    createdAt: new Date(json.createdAt),
    updatedAt: new Date(json.updatedAt),
    expiresAt: json.expiresAt === null ? null : new Date(json.expiresAt),
  };
}

export function encodeMessage(message: Message): MessageJson {
  return { ...message, createdAt: message.createdAt.toISOString() };
}

export function decodeMessage(json: MessageJson): Message {
  return {
    ...json,
    content: typeof json.content === 'string' ? json.content : clone(json.content),
    toolCalls: json.toolCalls === null ? null : clone(json.toolCalls),
    metadata: clone(json.metadata),
    createdAt: new Date(json.createdAt),
  };
}

/** A deep copy, so an object handed out never shares state with the loaded file. */
function clone<T extends JsonObject | JsonValue[]>(value: T): T {
  return structuredClone(value);
}
