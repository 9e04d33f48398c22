import { type Message, type Session, type SessionKey } from '@sessions/core';
import { LeaseModel, MessageModel, SessionModel, type FieldDefinition, type ModelDefinition } from '@sessions/core/engine';

/** The session key fields; message lines leave them out, the file they live in says them. */
const KEY_FIELDS: readonly string[] = SessionModel.primaryKey;

/** Field order of a message line: `seq` and `id` first, so an index can read them without parsing the rest. */
export const MESSAGE_LINE_FIELDS: readonly string[] = Object.freeze([
  'seq',
  'id',
  ...Object.keys(MessageModel.fields).filter((field) => field !== 'seq' && field !== 'id' && !KEY_FIELDS.includes(field)),
]);

/** What the session file keeps about its messages file, next to the session itself. */
export interface LogState {
  /** Changes whenever the messages file is replaced or emptied, so cached indexes of an older file are never reused. */
  readonly id: string;
  /** Lines with `seq` at or below this were cleared; a crash between the clear and the file's removal may leave them behind. */
  readonly clearedThroughSeq: number;
  /**
   * The last truncate: lines with `afterSeq < seq <= throughSeq` were deleted. Until its rewritten
   * messages file is renamed into place (or when a crash stopped it first) the old file still
   * holds them after the committed lines, where a reader going backwards from the end must not
   * take them for messages. Seqs are never reused, so no later line falls in this range.
   */
  readonly truncated?: { readonly afterSeq: number; readonly throughSeq: number };
}

/** A session file: `{ "session": {...}, "log": {...} }`. */
export interface StoredSession {
  readonly session: Session;
  readonly log: LogState;
}

/** A lease file. `expiresAt` is null once released; the file outlives the lease so the token never goes down. */
export interface StoredLease {
  readonly owner: string;
  readonly token: number;
  readonly expiresAt: number | null;
}

/** A record that does not match its model; the caller adds the file (and line). */
export class RecordShapeError extends Error {}

export function encodeSessionFile(stored: StoredSession): string {
  const file = { session: encodeFields(SessionModel, stored.session, Object.keys(SessionModel.fields)), log: stored.log };
  return `${JSON.stringify(file, null, 2)}\n`;
}

export function decodeSessionFile(text: string): StoredSession {
  const file = parseJson(text);
  if (!isObject(file) || !isObject(file['session']) || !isObject(file['log']))
    throw new RecordShapeError('is not a session file ({ "session": ..., "log": ... })');
  const log = file['log'];
  if (typeof log['id'] !== 'string' || !isCount(log['clearedThroughSeq'])) throw new RecordShapeError('has a malformed "log" entry');
  const session = decodeFields(SessionModel, file['session'], Object.keys(SessionModel.fields)) as unknown as Session;
  const truncated = log['truncated'];
  if (truncated === undefined) return { session, log: { id: log['id'], clearedThroughSeq: log['clearedThroughSeq'] } };
  if (!isObject(truncated) || !isCount(truncated['afterSeq']) || !isCount(truncated['throughSeq']))
    throw new RecordShapeError('has a malformed "log.truncated" entry');
  return {
    session,
    log: { id: log['id'], clearedThroughSeq: log['clearedThroughSeq'], truncated: { afterSeq: truncated['afterSeq'], throughSeq: truncated['throughSeq'] } },
  };
}

/** One message as a JSON line, newline included. */
export function encodeMessageLine(message: Message): string {
  return `${JSON.stringify(encodeFields(MessageModel, message, MESSAGE_LINE_FIELDS))}\n`;
}

/** Parses one line of a messages file (without its newline). */
export function decodeMessageLine(line: string, key: SessionKey): Message {
  const fields = decodeFields(MessageModel, parseJson(line), MESSAGE_LINE_FIELDS);
  if (!isPositiveSeq(fields['seq'])) throw new RecordShapeError('has a seq that is not a positive integer');
  return { userId: key.userId, sessionId: key.sessionId, ...fields } as unknown as Message;
}

export function encodeLeaseFile(key: SessionKey, lease: StoredLease): string {
  const record = { ...key, owner: lease.owner, token: lease.token, expiresAt: lease.expiresAt === null ? null : new Date(lease.expiresAt) };
  return `${JSON.stringify(encodeFields(LeaseModel, record, Object.keys(LeaseModel.fields)), null, 2)}\n`;
}

export function decodeLeaseFile(text: string): StoredLease {
  const { owner, token, expiresAt } = decodeLeaseRecord(text);
  return { owner, token, expiresAt };
}

/** A lease file with the key it names, for listings that find files by directory. */
export function decodeLeaseRecord(text: string): SessionKey & StoredLease {
  const fields = decodeFields(LeaseModel, parseJson(text), Object.keys(LeaseModel.fields));
  if (!isPositiveSeq(fields['token'])) throw new RecordShapeError('has a token that is not a positive integer');
  const expiresAt = fields['expiresAt'] as Date | null;
  return {
    userId: fields['userId'] as string,
    sessionId: fields['sessionId'] as string,
    owner: fields['owner'] as string,
    token: fields['token'],
    expiresAt: expiresAt === null ? null : expiresAt.getTime(),
  };
}

function encodeFields(model: ModelDefinition, record: object, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const value = (record as Record<string, unknown>)[field];
    out[field] = model.fields[field]!.type === 'timestamp' && value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

function decodeFields(model: ModelDefinition, value: unknown, fields: readonly string[]): Record<string, unknown> {
  if (!isObject(value)) throw new RecordShapeError(`is not a ${model.name} record (expected a JSON object)`);
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    const definition = model.fields[field]!;
    if (!Object.hasOwn(value, field)) throw new RecordShapeError(`lacks the field ${JSON.stringify(field)}`);
    out[field] = decodeValue(definition, value[field], field);
  }
  return out;
}

function decodeValue(definition: FieldDefinition, value: unknown, field: string): unknown {
  if (value === null) {
    if (definition.nullable) return null;
    throw new RecordShapeError(`has null in the non-nullable field ${JSON.stringify(field)}`);
  }
  switch (definition.type) {
    case 'string':
      if (typeof value === 'string') return value;
      break;
    case 'integer':
      if (typeof value === 'number' && Number.isSafeInteger(value)) return value;
      break;
    case 'timestamp':
      if (typeof value === 'string') {
        const date = new Date(value);
        if (!Number.isNaN(date.getTime())) return date;
      }
      break;
    case 'json':
      return value;
  }
  throw new RecordShapeError(`has ${JSON.stringify(value)} in the ${definition.type} field ${JSON.stringify(field)}`);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RecordShapeError(`is not valid JSON (${(error as Error).message})`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isPositiveSeq(value: unknown): value is number {
  return isCount(value) && value > 0;
}
