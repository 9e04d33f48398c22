import { ValidationError } from '../errors.js';
import { describeType, isPlainObject, type JsonObject, type JsonValue } from '../json.js';
import type { Message, MessageContent, MessageRole } from '../models/message-model.js';
import type { Session, SessionStatus } from '../models/session-model.js';
import { assertMessage, assertSession, assertSessionMessages } from '../validate.js';
import { assertExactExportText } from './export-text.js';

/** The `format` of an export file (`SessionExport`). */
export const EXPORT_FORMAT = 'sessions.export';
/** The export format version this package writes and reads. */
export const EXPORT_VERSION = 1;

/** A message in an export: a `Message` with `createdAt` as an ISO 8601 string. */
export interface ExportedMessage {
  seq: number;
  id: string;
  role: MessageRole;
  content: MessageContent;
  name: string | null;
  toolCalls: JsonValue[] | null;
  toolCallId: string | null;
  agentId: string | null;
  runId: string | null;
  metadata: JsonObject;
  createdAt: string;
}

/**
 * The export format, version 1: plain JSON, one object per session, so a store can be
 * written as JSON Lines (one session per line) and streamed. Timestamps are ISO 8601 UTC
 * strings. Messages carry their original `seq` (gaps are possible after `clear`); `lastSeq`
 * keeps seq values from being reused after import.
 *
 * ```json
 * { "format": "sessions.export", "version": 1,
 *   "session": { "userId": "u1", "sessionId": "chat_1", "title": null, "metadata": {}, "state": {},
 *                "status": "active", "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "...",
 *                "expiresAt": null, "parentSessionId": null, "parentSeq": null, "lastSeq": 2 },
 *   "messages": [ { "seq": 1, "id": "msg_...", "role": "user", "content": "hi", ... } ] }
 * ```
 */
export interface SessionExport {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  session: {
    userId: string;
    sessionId: string;
    title: string | null;
    metadata: JsonObject;
    state: JsonObject;
    status: SessionStatus;
    createdAt: string;
    updatedAt: string;
    expiresAt: string | null;
    parentSessionId: string | null;
    parentSeq: number | null;
    lastSeq: number;
  };
  messages: ExportedMessage[];
}

export function toExport(session: Session, messages: readonly Message[]): SessionExport {
  const lastSeq = Math.max(session.lastSeq, messages.at(-1)?.seq ?? 0);
  return {
    format: EXPORT_FORMAT,
    version: EXPORT_VERSION,
    session: {
      userId: session.userId,
      sessionId: session.sessionId,
      title: session.title,
      metadata: session.metadata,
      state: session.state,
      status: session.status,
      createdAt: session.createdAt.toISOString(),
      updatedAt: session.updatedAt.toISOString(),
      expiresAt: session.expiresAt?.toISOString() ?? null,
      parentSessionId: session.parentSessionId,
      parentSeq: session.parentSeq,
      lastSeq,
    },
    messages: messages.map(toExportedMessage),
  };
}

/** One message in the export format's shape. */
export function toExportedMessage(message: Message): ExportedMessage {
  return {
    seq: message.seq,
    id: message.id,
    role: message.role,
    content: message.content,
    name: message.name,
    toolCalls: message.toolCalls,
    toolCallId: message.toolCallId,
    agentId: message.agentId,
    runId: message.runId,
    metadata: message.metadata,
    createdAt: message.createdAt.toISOString(),
  };
}

/**
 * Validates an export (an object or its JSON text) and returns the session and messages
 * it describes. Anything unexpected is a `ValidationError` naming the place to fix. Given
 * text, a number that no double holds exactly (an integer beyond 2^53, `1e400`) is refused
 * too, rather than rounded by `JSON.parse`.
 */
export function parseExport(data: unknown): { session: Session; messages: Message[] } {
  const value = typeof data === 'string' ? parseText(data) : data;
  if (!isPlainObject(value)) throw new ValidationError(`an export is a JSON object, got ${describeType(value)}`, { path: 'export' });
  if (value['format'] !== EXPORT_FORMAT) {
    throw new ValidationError(`not a sessions export: "format" must be "${EXPORT_FORMAT}"`, { path: 'export.format' });
  }
  if (value['version'] !== EXPORT_VERSION) {
    const newer = typeof value['version'] === 'number' && value['version'] > EXPORT_VERSION;
    throw new ValidationError(
      newer
        ? `export version ${String(value['version'])} was written by a newer @sessions/core: upgrade it to import this file`
        : `unsupported export version ${JSON.stringify(value['version'])}; this version reads ${EXPORT_VERSION}`,
      { path: 'export.version' },
    );
  }
  assertKnownFields(value, EXPORT_FIELDS, 'export');
  const raw = value['session'];
  if (!isPlainObject(raw)) throw new ValidationError(`expected a session object, got ${describeType(raw)}`, { path: 'export.session' });
  assertKnownFields(raw, SESSION_FIELDS, 'export.session');
  const rawMessages = value['messages'];
  if (!Array.isArray(rawMessages)) throw new ValidationError(`expected an array of messages, got ${describeType(rawMessages)}`, { path: 'export.messages' });

  const session = {
    userId: raw['userId'],
    sessionId: raw['sessionId'],
    title: raw['title'] ?? null,
    metadata: raw['metadata'] ?? {},
    state: raw['state'] ?? {},
    status: raw['status'] ?? 'active',
    createdAt: toDate(raw['createdAt'], 'export.session.createdAt'),
    updatedAt: toDate(raw['updatedAt'], 'export.session.updatedAt'),
    expiresAt: raw['expiresAt'] === null || raw['expiresAt'] === undefined ? null : toDate(raw['expiresAt'], 'export.session.expiresAt'),
    parentSessionId: raw['parentSessionId'] ?? null,
    parentSeq: raw['parentSeq'] ?? null,
    messageCount: rawMessages.length,
    lastSeq: raw['lastSeq'],
    version: 0,
  };
  assertSession(session, 'export.session');
  const messages = rawMessages.map((item: unknown, i) => {
    const path = `export.messages[${i}]`;
    if (!isPlainObject(item)) throw new ValidationError(`expected a message object, got ${describeType(item)}`, { path });
    assertKnownFields(item, MESSAGE_FIELDS, path);
    const message = {
      userId: session.userId,
      sessionId: session.sessionId,
      seq: item['seq'],
      id: item['id'],
      role: item['role'],
      content: item['content'],
      name: item['name'] ?? null,
      toolCalls: item['toolCalls'] ?? null,
      toolCallId: item['toolCallId'] ?? null,
      agentId: item['agentId'] ?? null,
      runId: item['runId'] ?? null,
      metadata: item['metadata'] ?? {},
      createdAt: toDate(item['createdAt'], `${path}.createdAt`),
    };
    assertMessage(message, path);
    return message;
  });
  assertSessionMessages(session, messages, 'export.messages');
  return { session, messages };
}

const EXPORT_FIELDS = ['format', 'version', 'session', 'messages'];
const SESSION_FIELDS = [
  'userId',
  'sessionId',
  'title',
  'metadata',
  'state',
  'status',
  'createdAt',
  'updatedAt',
  'expiresAt',
  'parentSessionId',
  'parentSeq',
  'lastSeq',
];
const MESSAGE_FIELDS = ['seq', 'id', 'role', 'content', 'name', 'toolCalls', 'toolCallId', 'agentId', 'runId', 'metadata', 'createdAt'];

/** A field this version does not know is refused rather than dropped: importing must not lose data silently. */
function assertKnownFields(value: Record<string, unknown>, known: readonly string[], path: string): void {
  for (const field of Object.keys(value)) {
    if (!known.includes(field))
      throw new ValidationError(`unknown field ${JSON.stringify(field)}; version ${EXPORT_VERSION} has ${known.join(', ')}`, { path });
  }
}

// Date-time as toISOString() writes it, or with another offset: what `new Date()` would also guess at is refused.
const ISO_8601 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function toDate(value: unknown, path: string): Date {
  const date = typeof value === 'string' && ISO_8601.test(value) ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw new ValidationError(
      `expected an ISO 8601 timestamp such as "2026-01-01T00:00:00.000Z", got ${typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : describeType(value)}`,
      { path },
    );
  }
  return date;
}

function parseText(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new ValidationError(`the export is not valid JSON: ${(cause as Error).message}`, { cause });
  }
  assertExactExportText(text);
  return value;
}
