import type { Engine } from '../engine/engine.js';
import type { Filter } from '../filter/types.js';
import { anything, boolean, count, duration, id, nullable, oneOf, optional, rule, signal, text } from '../input/checks.js';
import { shape, type Check } from '../input/shape.js';
import { ValidationError } from '../errors.js';
import { describeType, isPlainObject, type JsonObject } from '../json.js';
import { TITLE_MAX_LENGTH } from '../models/session-model.js';
import type { ListOrder } from './cursor.js';
import type { HeldLease } from './held-lease.js';
import type { MessageInput } from './message-input.js';
import { DEFAULT_MAX_MESSAGE_BYTES } from './message-size.js';
import { newOwnerId } from '../ids.js';
import { listOrder } from './list-order.js';

export interface SessionManagerLimits {
  /** Largest message accepted, as UTF-8 JSON bytes of content, tool calls and metadata. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Most messages in one append. Default 1,000. */
  maxMessagesPerAppend?: number;
}

export interface SessionManagerOptions {
  engine: Engine;
  /** Lease length for `acquire` and `run`. Default 30 s. */
  lockTtlMs?: number;
  /** How often `run` renews its lease; must be well under `lockTtlMs` (at most a third). Default 10 s. */
  heartbeatMs?: number;
  /** Lease owner name used when a call names none. Default: a random `manager_<ulid>`. */
  owner?: string;
  limits?: SessionManagerLimits;
  /** The application clock for session and message timestamps, in epoch ms. Leases use the store's clock. */
  clock?: () => number;
}

export interface CreateSessionInput {
  userId: string;
  /** Generated (`sess_` + ULID) when absent. */
  sessionId?: string;
  title?: string | null;
  metadata?: JsonObject;
  state?: JsonObject;
  /** The session expires this long after creation (see `deleteExpired`). */
  ttlMs?: number | null;
  /** Initial messages, written together with the session. */
  messages?: MessageInput[];
}

export interface ListOptions {
  userId: string;
  where?: Filter;
  orderBy?: ListOrder | readonly [ListOrder];
  /** Page size, 1 to 1,000. Default 20. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  includeArchived?: boolean;
}

export interface UpdateSessionInput {
  title?: string | null;
  /** Replaces the metadata object. */
  metadata?: JsonObject;
  /** Expire this long from now; null keeps the session forever. */
  ttlMs?: number | null;
}

export interface LeaseOptions {
  lease?: HeldLease;
}

export interface UpdateOptions extends LeaseOptions {
  /**
   * Write only if the session's `version` is still this one (read it from `get`), else
   * `ConcurrentUpdateError` and nothing changes: a read-modify-write of `metadata` or `title`
   * then never overwrites a change made in between.
   */
  expectedVersion?: number;
}

export interface AcquireOptions {
  ttlMs?: number;
  owner?: string;
  /** Wait up to this long for a busy session instead of failing at once. Default 0. */
  waitMs?: number;
  signal?: AbortSignal;
}

export interface MessagesQuery {
  /** The newest N messages (returned oldest first). */
  last?: number;
  afterSeq?: number;
  beforeSeq?: number;
  /** The oldest N messages of the range. */
  limit?: number;
}

export interface TruncateInput {
  /** Keep the messages up to and including this seq; delete the ones after it. */
  afterSeq: number;
}

export interface ForkOptions {
  sessionId?: string;
  /** Copy messages up to and including this seq. Default: all. */
  upToSeq?: number;
  title?: string | null;
}

export interface ImportOptions {
  /** What to do when the session already exists. Default `'error'`. */
  onConflict?: 'error' | 'skip';
}

export interface RunOptions extends AcquireOptions {
  /** How much history to hand the callback: `{ last: N }`, or `false` for none. Default: all of it. */
  history?: { last: number } | false;
}

// The shapes of the options objects above. Values the engine checks anyway (records, filters,
// leases) are only key-checked here, so each is validated once.

const lease = anything as Check<HeldLease | undefined>;
const leaseOptions = (method: string) => shape(method, { lease });

const MANAGER_OPTIONS = shape(
  'new SessionManager()',
  {
    engine: anything as Check<Engine>,
    lockTtlMs: optional(duration),
    heartbeatMs: optional(duration),
    owner: optional(id),
    limits: optional(shape('new SessionManager()', { maxMessageBytes: optional(count(1)), maxMessagesPerAppend: optional(count(1)) }).check),
    clock: optional(rule<() => number>((value) => typeof value === 'function', 'clock is a function returning epoch milliseconds')),
  },
  { expected: '{ engine }' },
);

const DEFAULT_LIMITS: Required<SessionManagerLimits> = { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, maxMessagesPerAppend: 1_000 };

/** The manager's configuration with defaults applied, checked once. */
export function resolveManagerOptions(options: SessionManagerOptions) {
  if (!isPlainObject(options) || !options.engine || typeof options.engine.appendMessages !== 'function') {
    throw new ValidationError('SessionManager needs { engine }: an engine from createEngine() or an adapter package', { path: 'options.engine' });
  }
  const parsed = MANAGER_OPTIONS.parse(options, 'options');
  const lockTtlMs = parsed.lockTtlMs ?? 30_000;
  const heartbeatMs = parsed.heartbeatMs ?? 10_000;
  if (heartbeatMs * 3 > lockTtlMs) {
    throw new ValidationError(
      `heartbeatMs (${heartbeatMs}) must be at most a third of lockTtlMs (${lockTtlMs}) so a renew can fail and be retried before the lease lapses`,
      { path: 'options.heartbeatMs' },
    );
  }
  return {
    engine: parsed.engine,
    lockTtlMs,
    heartbeatMs,
    owner: parsed.owner ?? newOwnerId('manager'),
    limits: Object.freeze({ ...DEFAULT_LIMITS, ...parsed.limits }),
    clock: parsed.clock ?? Date.now,
  };
}

const createFields = {
  userId: id,
  sessionId: optional(id),
  title: anything as Check<string | null | undefined>,
  metadata: anything as Check<JsonObject | undefined>,
  state: anything as Check<JsonObject | undefined>,
  ttlMs: optional(nullable(duration)),
  messages: optional(rule<MessageInput[]>(Array.isArray, 'messages must be an array of { role, content }')),
};
export const CREATE_INPUT = shape('create()', createFields, { noun: 'field', expected: '{ userId, sessionId?, ... }' });
export const GET_OR_CREATE_INPUT = shape('getOrCreate()', { ...createFields, sessionId: id }, { noun: 'field', expected: '{ userId, sessionId, ... }' });

const MESSAGE_INPUT_KEYS: ReadonlyArray<keyof MessageInput> = ['role', 'content', 'id', 'name', 'toolCalls', 'toolCallId', 'agentId', 'runId', 'metadata'];

/** A message's values are the engine's to check; here only its keys. */
export const messageInput = (method: string) =>
  shape(method, Object.fromEntries(MESSAGE_INPUT_KEYS.map((key) => [key, anything])), { noun: 'field', expected: 'a message { role, content }' });

export const LIST_OPTIONS = shape(
  'list()',
  {
    userId: id,
    where: anything as Check<Filter | undefined>,
    orderBy: optional(listOrder),
    limit: optional(count(1, { value: 1_000, message: 'a page holds at most 1000 sessions' })),
    cursor: optional(nullable(rule<string>((value) => typeof value === 'string', 'cursor is the nextCursor string of the previous page, or null'))),
    includeArchived: optional(boolean),
  },
  { expected: '{ userId, ... }' },
);

export const UPDATE_INPUT = shape(
  'update()',
  { title: optional(text(TITLE_MAX_LENGTH)), metadata: anything as Check<JsonObject | undefined>, ttlMs: optional(nullable(duration)) },
  { noun: 'field' },
);
export const UPDATE_OPTIONS = shape('update()', { lease, expectedVersion: optional(count()) });
export const SET_STATE_OPTIONS = shape('setState()', { lease, replace: optional(boolean) });
export const APPEND_OPTIONS = leaseOptions('append()');
export const CLEAR_OPTIONS = leaseOptions('clear()');
export const TRUNCATE_OPTIONS = leaseOptions('truncate()');
export const DELETE_OPTIONS = leaseOptions('delete()');
export const TRUNCATE_INPUT = shape('truncate()', { afterSeq: count() }, { noun: 'field', expected: '{ afterSeq }' });
const seq = optional(count());
export const MESSAGES_QUERY = shape('messages()', { last: seq, afterSeq: seq, beforeSeq: seq, limit: seq });
export const FORK_OPTIONS = shape('fork()', { sessionId: optional(id), upToSeq: optional(count()), title: anything as Check<string | null | undefined> });
export const IMPORT_OPTIONS = shape('import()', { onConflict: optional(oneOf(['error', 'skip'])) });

const isCutoff = (value: unknown): boolean =>
  (value instanceof Date && !Number.isNaN(value.getTime())) || (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0);
export const ARCHIVE_INACTIVE_OPTIONS = shape(
  'archiveInactive()',
  { olderThan: rule<number | Date>(isCutoff, 'olderThan is a Date or a whole number of milliseconds'), userId: optional(id) },
  { expected: '{ olderThan }' },
);

const acquireFields = { ttlMs: optional(duration), owner: optional(id), waitMs: optional(count()), signal: optional(signal) };
export const ACQUIRE_OPTIONS = shape('acquire()', acquireFields);

const HISTORY = shape('run()', { last: optional(count()) });
const history: Check<{ last?: number } | false> = (value, path) => {
  if (value === false) return false;
  if (!isPlainObject(value)) throw new ValidationError(`history is { last: N } or false, got ${describeType(value)}`, { path });
  return HISTORY.parse(value, path);
};
export const RUN_OPTIONS = shape('run()', { ...acquireFields, history: optional(history) });

const EVENT_NAMES: readonly string[] = ['messages', 'session'];

/** A misspelt event name would never fire, and a listener that is not a function would throw on every later emit. */
export function assertListener(event: unknown, listener: unknown): void {
  if (!EVENT_NAMES.includes(event as string)) {
    throw new ValidationError(`unknown event ${JSON.stringify(event)}; listen to 'messages' or 'session'`, { path: 'event' });
  }
  if (typeof listener !== 'function') throw new ValidationError(`the listener must be a function, got ${describeType(listener)}`, { path: 'listener' });
}

/** `renew` and `release` take the lease `acquire` returned; the engine checks its owner and token. */
export function assertHeldLease(lease: unknown): void {
  if (!isPlainObject(lease)) throw new ValidationError(`expected a lease from acquire(), got ${describeType(lease)}`, { path: 'lease' });
}
