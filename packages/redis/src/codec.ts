import { type JsonValue, type Message, type Session, type SessionKey } from '@sessions/core';
import { MessageModel, SessionModel, type FieldDefinition, type ModelDefinition, type NewMessage } from '@sessions/core/engine';

/**
 * How records become Redis values, derived from the core models so no column list is
 * retyped here. A session is a hash keyed by column name: strings as they are, integers in
 * decimal, timestamps as epoch milliseconds, JSON as JSON text; a null field is simply
 * absent. A message is one JSON object keyed by column name (timestamps as epoch ms), kept
 * as a sorted-set member; its key columns come from the key it is stored under.
 */

/** Internal hash fields next to the model's columns. */
export const INTERNAL = Object.freeze({
  /** Grows with every write to the session (appends included): compare-and-set for generic updates. */
  rev: '_rev',
  /** Epoch ms (Redis clock) at which Redis drops the session's keys, when it has a TTL. */
  deadline: '_deadline',
});

type Row = Record<string, unknown>;

const SESSION_FIELDS = Object.entries<FieldDefinition>(SessionModel.fields);
const MESSAGE_KEY_FIELDS = new Set(['userId', 'sessionId', 'seq']);
const MESSAGE_FIELDS = Object.entries<FieldDefinition>(MessageModel.fields).filter(([field]) => !MESSAGE_KEY_FIELDS.has(field));

/** The storage name of a model field; throws if core no longer defines the field. */
export function column(model: ModelDefinition, field: string): string {
  const definition = model.fields[field];
  if (!definition) throw new TypeError(`the ${model.name} model has no field ${field}`);
  return definition.column;
}

/** Session column names the Lua scripts read and write. */
export const COLUMNS = Object.freeze({
  userId: column(SessionModel, 'userId'),
  sessionId: column(SessionModel, 'sessionId'),
  updatedAt: column(SessionModel, 'updatedAt'),
  createdAt: column(SessionModel, 'createdAt'),
  expiresAt: column(SessionModel, 'expiresAt'),
  messageCount: column(SessionModel, 'messageCount'),
  lastSeq: column(SessionModel, 'lastSeq'),
  version: column(SessionModel, 'version'),
  seq: column(MessageModel, 'seq'),
});

function encodeScalar(definition: FieldDefinition, value: unknown): string {
  switch (definition.type) {
    case 'string':
      return value as string;
    case 'integer':
      return String(value);
    case 'timestamp':
      return String((value as Date).getTime());
    case 'json':
      return JSON.stringify(value);
  }
}

function decodeScalar(definition: FieldDefinition, text: string): unknown {
  switch (definition.type) {
    case 'string':
      return text;
    case 'integer':
      return Number(text);
    case 'timestamp':
      return new Date(Number(text));
    case 'json':
      return JSON.parse(text) as JsonValue;
  }
}

/** The hash of a session: `[column, value]` pairs for every non-null field. */
export function encodeSession(session: Session): Array<[string, string]> {
  const pairs: Array<[string, string]> = [];
  const row = session as unknown as Row;
  for (const [field, definition] of SESSION_FIELDS) {
    const value = row[field];
    if (value !== null && value !== undefined) pairs.push([definition.column, encodeScalar(definition, value)]);
  }
  return pairs;
}

/** Field changes for a session hash: columns to set and columns to remove (set to null). */
export interface EncodedChanges {
  readonly set: Array<[string, string]>;
  readonly unset: string[];
}

export function encodeSessionChanges(changes: Readonly<Row>): EncodedChanges {
  const set: Array<[string, string]> = [];
  const unset: string[] = [];
  for (const [field, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const definition = SessionModel.fields[field];
    if (!definition) throw new TypeError(`unknown session field ${field}`);
    if (value === null) unset.push(definition.column);
    else set.push([definition.column, encodeScalar(definition, value)]);
  }
  return { set, unset };
}

/** A session from its hash (as HGETALL returns it), or null for an empty hash. */
export function decodeSession(hash: Readonly<Record<string, string>>): Session | null {
  if (hash[COLUMNS.sessionId] === undefined) return null;
  const row: Row = {};
  for (const [field, definition] of SESSION_FIELDS) {
    const text = hash[definition.column];
    row[field] = text === undefined ? null : decodeScalar(definition, text);
  }
  return row as unknown as Session;
}

/** A flat `[field, value, field, value ...]` reply (HGETALL inside Lua) as an object. */
export function pairsToHash(flat: readonly string[]): Record<string, string> {
  const hash: Record<string, string> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

/**
 * A message without its key columns and seq, as JSON text starting `{"id":`. The append
 * script splices `"seq":N,` in after the brace once it has assigned N, so the stored text
 * is produced by `JSON.stringify` and read by `JSON.parse` only: numbers and strings
 * round-trip exactly (Lua's cjson would round numbers to 14 digits).
 */
export function encodeMessageBody(message: NewMessage): string {
  const row = message as unknown as Row;
  const body: Row = {};
  for (const [field, definition] of MESSAGE_FIELDS) {
    const value = row[field];
    body[definition.column] = value === null ? null : definition.type === 'timestamp' ? (value as Date).getTime() : value;
  }
  return JSON.stringify(body);
}

/** What the append script stores for `body` at `seq` (the same splice, done here for createSession). */
export function withSeq(body: string, seq: number): string {
  return `{"${COLUMNS.seq}":${seq},${body.slice(1)}`;
}

export function decodeMessage(key: SessionKey, text: string): Message {
  const stored = JSON.parse(text) as Row;
  const row: Row = { userId: key.userId, sessionId: key.sessionId, seq: stored[COLUMNS.seq] };
  for (const [field, definition] of MESSAGE_FIELDS) {
    const value = stored[definition.column];
    row[field] = value === null || value === undefined ? null : definition.type === 'timestamp' ? new Date(value as number) : value;
  }
  return row as unknown as Message;
}
