import { MessageExistsError, ValidationError, type SessionKey } from './errors.js';
import { assertJson, assertJsonObject, assertStorableString, describeType, isPlainObject } from './json.js';
import { MESSAGE_ROLES, type Message } from './models/message-model.js';
import { SESSION_CHANGE_FIELDS } from './models/session-changes.js';
import { ID_MAX_LENGTH, SESSION_STATUSES, TITLE_MAX_LENGTH, type Session } from './models/session-model.js';
import type { NewMessage, SessionChanges, MessageRange } from './engine/engine.js';
import type { LeaseRef } from './engine/lease.js';
import { shape } from './input/shape.js';

// C0 and C1 control characters, plus the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** Ids: 1 to 255 code points, no control characters, valid Unicode. */
export function assertId(value: unknown, path: string): asserts value is string {
  if (typeof value !== 'string') throw new ValidationError(`must be a string id, got ${describeType(value)}`, { path });
  if (value.length === 0) throw new ValidationError('must not be empty', { path });
  assertStorableString(value, path);
  if (CONTROL.test(value)) throw new ValidationError('must not contain control characters', { path });
  if (codePointLength(value) > ID_MAX_LENGTH) throw new ValidationError(`must be at most ${ID_MAX_LENGTH} characters`, { path });
}

export function assertKey(key: unknown, path = 'key'): asserts key is SessionKey {
  if (!isPlainObject(key)) throw new ValidationError(`expected { userId, sessionId }, got ${describeType(key)}`, { path });
  assertId(key['userId'], `${path}.userId`);
  assertId(key['sessionId'], `${path}.sessionId`);
}

export function assertOptionalText(value: unknown, path: string, maxLength: number): asserts value is string | null {
  if (value === null) return;
  if (typeof value !== 'string') throw new ValidationError(`must be a string or null, got ${describeType(value)}`, { path });
  assertStorableString(value, path);
  if (codePointLength(value) > maxLength) throw new ValidationError(`must be at most ${maxLength} characters`, { path });
}

function assertOptionalId(value: unknown, path: string): asserts value is string | null {
  if (value !== null) assertId(value, path);
}

/** Timestamps every backend stores exactly: years 1 to 9999 at millisecond precision. */
export function assertDate(value: unknown, path: string): asserts value is Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new ValidationError(`must be a valid Date, got ${describeType(value)}`, { path });
  const year = value.getUTCFullYear();
  if (year < 1 || year > 9999) throw new ValidationError(`must be between the years 1 and 9999, got ${value.toISOString()}`, { path });
}

function assertOptionalDate(value: unknown, path: string): asserts value is Date | null {
  if (value !== null) assertDate(value, path);
}

export function assertCount(value: unknown, path: string, { min = 0 } = {}): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new ValidationError(`must be an integer >= ${min}, got ${typeof value === 'number' ? value : describeType(value)}`, { path });
  }
}

export function assertDuration(value: unknown, path: string): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0 || value > 2_147_483_647) {
    throw new ValidationError(`must be a whole number of milliseconds between 1 and 2147483647, got ${String(value)}`, { path });
  }
}

export function assertStatus(value: unknown, path: string): asserts value is Session['status'] {
  if (!SESSION_STATUSES.includes(value as Session['status'])) {
    throw new ValidationError(`must be one of ${SESSION_STATUSES.join(', ')}, got ${JSON.stringify(value)}`, { path });
  }
}

export function assertSession(session: unknown, path = 'session'): asserts session is Session {
  if (!isPlainObject(session)) throw new ValidationError(`expected a session record, got ${describeType(session)}`, { path });
  assertId(session['userId'], `${path}.userId`);
  assertId(session['sessionId'], `${path}.sessionId`);
  assertOptionalText(session['title'], `${path}.title`, TITLE_MAX_LENGTH);
  assertJsonObject(session['metadata'], `${path}.metadata`);
  assertJsonObject(session['state'], `${path}.state`);
  assertStatus(session['status'], `${path}.status`);
  assertDate(session['createdAt'], `${path}.createdAt`);
  assertDate(session['updatedAt'], `${path}.updatedAt`);
  assertOptionalDate(session['expiresAt'], `${path}.expiresAt`);
  assertOptionalId(session['parentSessionId'], `${path}.parentSessionId`);
  if (session['parentSeq'] !== null) assertCount(session['parentSeq'], `${path}.parentSeq`);
  assertCount(session['messageCount'], `${path}.messageCount`);
  assertCount(session['lastSeq'], `${path}.lastSeq`);
  assertCount(session['version'], `${path}.version`);
}

export function assertSessionChanges(changes: unknown, path = 'changes'): asserts changes is SessionChanges {
  if (!isPlainObject(changes)) throw new ValidationError(`expected an object of changes, got ${describeType(changes)}`, { path });
  const allowed: readonly string[] = SESSION_CHANGE_FIELDS;
  for (const field of Object.keys(changes)) {
    if (!allowed.includes(field)) throw new ValidationError(`cannot change ${JSON.stringify(field)}; changeable: ${allowed.join(', ')}`, { path });
  }
  if ('title' in changes) assertOptionalText(changes['title'], `${path}.title`, TITLE_MAX_LENGTH);
  if ('metadata' in changes) assertJsonObject(changes['metadata'], `${path}.metadata`);
  if ('state' in changes) assertJsonObject(changes['state'], `${path}.state`);
  if ('status' in changes) assertStatus(changes['status'], `${path}.status`);
  if ('expiresAt' in changes) assertOptionalDate(changes['expiresAt'], `${path}.expiresAt`);
  assertDate(changes['updatedAt'], `${path}.updatedAt`);
}

/** Checks a message about to be appended (no seq yet). */
export function assertNewMessage(message: unknown, path: string): asserts message is NewMessage {
  if (!isPlainObject(message)) throw new ValidationError(`expected a message object, got ${describeType(message)}`, { path });
  assertId(message['userId'], `${path}.userId`);
  assertId(message['sessionId'], `${path}.sessionId`);
  assertId(message['id'], `${path}.id`);
  if (!MESSAGE_ROLES.includes(message['role'] as Message['role'])) {
    throw new ValidationError(`role must be one of ${MESSAGE_ROLES.join(', ')}, got ${JSON.stringify(message['role'])}`, { path: `${path}.role` });
  }
  const content = message['content'];
  if (typeof content === 'string') assertStorableString(content, `${path}.content`);
  else if (Array.isArray(content)) assertJson(content, `${path}.content`);
  else throw new ValidationError(`content must be a string or an array of JSON parts, got ${describeType(content)}`, { path: `${path}.content` });
  assertOptionalId(message['name'], `${path}.name`);
  const toolCalls = message['toolCalls'];
  if (toolCalls !== null) {
    if (!Array.isArray(toolCalls))
      throw new ValidationError(`toolCalls must be an array or null, got ${describeType(toolCalls)}`, { path: `${path}.toolCalls` });
    assertJson(toolCalls, `${path}.toolCalls`);
  }
  assertOptionalId(message['toolCallId'], `${path}.toolCallId`);
  assertOptionalId(message['agentId'], `${path}.agentId`);
  assertOptionalId(message['runId'], `${path}.runId`);
  assertJsonObject(message['metadata'], `${path}.metadata`);
  assertDate(message['createdAt'], `${path}.createdAt`);
}

export function assertMessage(message: unknown, path: string): asserts message is Message {
  assertNewMessage(message, path);
  assertCount((message as Message).seq, `${path}.seq`, { min: 1 });
}

export function assertLeaseRef(lease: unknown, path = 'lease'): asserts lease is LeaseRef {
  if (!isPlainObject(lease)) throw new ValidationError(`expected a lease { owner, token }, got ${describeType(lease)}`, { path });
  assertId(lease['owner'], `${path}.owner`);
  assertCount(lease['token'], `${path}.token`, { min: 1 });
}

const seqOption = (value: unknown, path: string): number | undefined => {
  if (value !== undefined) assertCount(value, path);
  return value;
};
const RANGE = shape('readMessages()', {
  afterSeq: seqOption,
  beforeSeq: seqOption,
  last: seqOption,
  limit: seqOption,
  liveAt: (value: unknown, path: string): Date | undefined => {
    if (value !== undefined) assertDate(value, path);
    return value;
  },
});

/** The range of a `readMessages` call: known keys only, whole numbers, not both `last` and `limit`. */
export function assertRange(range: unknown, path = 'range'): asserts range is MessageRange {
  const parsed = RANGE.parse(range, path);
  if (parsed.last !== undefined && parsed.limit !== undefined) {
    throw new ValidationError('give either last (the newest N) or limit (the oldest N), not both', { path });
  }
}

export function assertLimitOffset(query: { limit?: unknown; offset?: unknown }, path = 'query'): void {
  if (query.limit !== undefined) assertCount(query.limit, `${path}.limit`);
  if (query.offset !== undefined) assertCount(query.offset, `${path}.offset`);
}

export function codePointLength(value: string): number {
  let length = value.length;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0xd800 && code <= 0xdbff) {
      length--;
      i++;
    }
  }
  return length;
}

/**
 * Checks the messages a session is created with (fork, import): each belongs to the session,
 * seq increases and stays within `lastSeq`, ids are unique, and `messageCount` matches.
 */
export function assertSessionMessages(session: Session, messages: readonly unknown[], path = 'messages'): asserts messages is Message[] {
  const ids = new Set<string>();
  let previousSeq = 0;
  messages.forEach((message, i) => {
    const at = `${path}[${i}]`;
    assertMessage(message, at);
    if (message.userId !== session.userId || message.sessionId !== session.sessionId) {
      throw new ValidationError('belongs to another session than the one written to', { path: at });
    }
    if (message.seq <= previousSeq) throw new ValidationError('seq must increase from one message to the next', { path: `${at}.seq` });
    if (message.seq > session.lastSeq) throw new ValidationError(`seq cannot exceed the session's lastSeq (${session.lastSeq})`, { path: `${at}.seq` });
    if (ids.has(message.id)) throw new MessageExistsError(session, message.id);
    ids.add(message.id);
    previousSeq = message.seq;
  });
  if (session.messageCount !== messages.length) {
    throw new ValidationError(`messageCount (${session.messageCount}) must equal the number of messages given (${messages.length})`, {
      path: 'session.messageCount',
    });
  }
}
