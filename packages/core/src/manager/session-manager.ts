import { sleep } from '../abort.js';
import type { Engine } from '../engine/engine.js';
import type { NewMessage, SessionWriteOptions } from '../engine/engine.js';
import {
  ConcurrentUpdateError,
  LockExpiredError,
  LockHeldError,
  SessionExistsError,
  SessionNotFoundError,
  ValidationError,
  type SessionKey,
} from '../errors.js';
import { and, eq, gt, isNull, lt, lte, or } from '../filter/builders.js';
import type { Filter } from '../filter/types.js';
import { newMessageId, newOwnerId, newSessionId } from '../ids.js';
import { assertJsonObject, describeType, isPlainObject, type JsonObject } from '../json.js';

/** A non-narrowing plain-object check, for typed options that may still be wrong at run time. */
const isOptionsObject = (value: unknown): boolean => isPlainObject(value);
import type { Message } from '../models/message-model.js';
import { isExpiredAt } from '../models/expiry.js';
import type { Session } from '../models/session-model.js';
import { assertCount, assertDuration, assertId, assertKey, assertNewMessage, assertOptionalText } from '../validate.js';
import { TITLE_MAX_LENGTH } from '../models/session-model.js';
import { decodeCursor, encodeCursor, LIST_ORDER_FIELDS, type ListOrder } from './cursor.js';
import { TypedEmitter, type SessionManagerEvents } from './events.js';
import { parseExport, toExport, type SessionExport } from './export-format.js';
import { holdLease, isLocallyExpired, renewedLease, type HeldLease } from './held-lease.js';
import { LeaseKeeper } from './lease-keeper.js';
import { applyMergePatch } from './merge-patch.js';
import type { MessageInput } from './message-input.js';
import { assertMessageSize, DEFAULT_MAX_MESSAGE_BYTES } from './message-size.js';
import { assertOptionalBoolean, assertOptionalSignal, assertOptionKeys } from './options.js';

/** Size limits a `SessionManager` enforces on what it writes; larger input is a `ValidationError`. */
export interface SessionManagerLimits {
  /** Largest message accepted, as UTF-8 JSON bytes of content, tool calls and metadata. Default 1 MiB. */
  maxMessageBytes?: number;
  /** Most messages in one append. Default 1,000. */
  maxMessagesPerAppend?: number;
}

/** How to build a `SessionManager`: the engine it works on, its lease timings and limits. */
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

/** A new session for `SessionManager.create` and `getOrCreate`. */
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

/** One page of a user's sessions for `SessionManager.list`: filter, order and cursor. */
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

/** A page of sessions from `SessionManager.list`, with the cursor of the next one. */
export interface ListResult {
  sessions: Session[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/** The changes `SessionManager.update` makes; fields left out stay as they are. */
export interface UpdateSessionInput {
  title?: string | null;
  /** Replaces the metadata object. */
  metadata?: JsonObject;
  /** Expire this long from now; null keeps the session forever. */
  ttlMs?: number | null;
}

/** For writes to a session someone may hold a lease on: pass yours, and the write is fenced by it. */
export interface LeaseOptions {
  lease?: HeldLease;
}

/** Options of `SessionManager.update`: the lease to write under, and optimistic concurrency. */
export interface UpdateOptions extends LeaseOptions {
  /**
   * Write only if the session's `version` is still this one (read it from `get`), else
   * `ConcurrentUpdateError` and nothing changes: a read-modify-write of `metadata` or `title`
   * then never overwrites a change made in between.
   */
  expectedVersion?: number;
}

/** How `SessionManager.acquire` (and `run`) takes a session's lease: its length, owner and how long to wait. */
export interface AcquireOptions {
  ttlMs?: number;
  owner?: string;
  /** Wait up to this long for a busy session instead of failing at once. Default 0. */
  waitMs?: number;
  signal?: AbortSignal;
}

/** Which messages `SessionManager.messages` returns, by `seq`; always oldest first. */
export interface MessagesQuery {
  /** The newest N messages (returned oldest first). */
  last?: number;
  afterSeq?: number;
  beforeSeq?: number;
  /** The oldest N messages of the range. */
  limit?: number;
}

/** Where `SessionManager.truncate` cuts a session's history. */
export interface TruncateInput {
  /** Keep the messages up to and including this seq; delete the ones after it. */
  afterSeq: number;
}

/** The copy `SessionManager.fork` makes: its id, how much history and its title. */
export interface ForkOptions {
  sessionId?: string;
  /** Copy messages up to and including this seq. Default: all. */
  upToSeq?: number;
  title?: string | null;
}

/** Options of `SessionManager.import`. */
export interface ImportOptions {
  /** What to do when the session already exists. Default `'error'`. */
  onConflict?: 'error' | 'skip';
}

/** Options of `SessionManager.run`: how the lease is taken, and how much history the callback gets. */
export interface RunOptions extends AcquireOptions {
  /** How much history to hand the callback: `{ last: N }`, or `false` for none. Default: all of it. */
  history?: { last: number } | false;
}

/** What `SessionManager.run` hands its callback: the session, its history, and writes made under the lease it keeps renewed. */
export interface RunContext {
  readonly key: SessionKey;
  /** The session as it was when the lease was taken. */
  readonly session: Session;
  /** History loaded inside the lease. */
  readonly history: Message[];
  /** The lease as currently renewed. */
  readonly lease: HeldLease;
  /** Aborts with `LockExpiredError` if the lease is lost, or with the caller's reason. */
  readonly signal: AbortSignal;
  /** Appends under the lease; rejected with `LockExpiredError` once it is lost. */
  append(messages: MessageInput | MessageInput[]): Promise<Message[]>;
  /** Deletes the messages after `afterSeq` under the lease, e.g. to take back a turn that failed half-way. */
  truncate(afterSeq: number): Promise<number>;
  /** Patches state under the lease (JSON Merge Patch). */
  setState(patch: JsonObject): Promise<JsonObject>;
}

const DEFAULT_LIMITS: Required<SessionManagerLimits> = { maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES, maxMessagesPerAppend: 1_000 };
const MAX_OPTIMISTIC_RETRIES = 50;
const CREATE_FIELDS = ['userId', 'sessionId', 'title', 'metadata', 'state', 'ttlMs', 'messages'];
const MANAGER_OPTIONS = ['engine', 'lockTtlMs', 'heartbeatMs', 'owner', 'limits', 'clock'];
const LIMIT_OPTIONS = ['maxMessageBytes', 'maxMessagesPerAppend'];
const LIST_OPTIONS = ['userId', 'where', 'orderBy', 'limit', 'cursor', 'includeArchived'];
const LEASE_OPTIONS = ['lease'];
const UPDATE_OPTIONS = [...LEASE_OPTIONS, 'expectedVersion'];
const ACQUIRE_OPTIONS = ['ttlMs', 'owner', 'waitMs', 'signal'];
const RUN_OPTIONS = [...ACQUIRE_OPTIONS, 'history'];
const MESSAGES_QUERY_OPTIONS = ['last', 'afterSeq', 'beforeSeq', 'limit'];

/**
 * Sessions for many users on one engine, with leases for exclusive runs. Stateless over its
 * engine: any number of managers, in any number of processes, may share one store.
 *
 * @example
 * const sessions = new SessionManager({ engine: await createEngine('sqlite:./sessions.db') })
 * await sessions.engine.setup()
 * const session = await sessions.create({ userId: 'alice' })
 * await sessions.run(session, async ({ history, append }) => {
 *   await append([{ role: 'user', content: 'hi' }, { role: 'assistant', content: reply(history) }])
 * })
 */
export class SessionManager {
  readonly engine: Engine;
  readonly lockTtlMs: number;
  readonly heartbeatMs: number;
  readonly owner: string;
  readonly limits: Readonly<Required<SessionManagerLimits>>;
  readonly #clock: () => number;
  readonly #events = new TypedEmitter<SessionManagerEvents>();

  constructor(options: SessionManagerOptions) {
    if (!isOptionsObject(options) || !options.engine || typeof options.engine.appendMessages !== 'function') {
      throw new ValidationError('SessionManager needs { engine }: an engine from createEngine() or an adapter package', { path: 'options.engine' });
    }
    assertOptionKeys(options, MANAGER_OPTIONS, 'options');
    if (options.limits !== undefined) assertOptionKeys(options.limits, LIMIT_OPTIONS, 'options.limits');
    if (options.clock !== undefined && typeof options.clock !== 'function') {
      throw new ValidationError(`clock is a function returning epoch milliseconds, got ${describeType(options.clock)}`, { path: 'options.clock' });
    }
    const lockTtlMs = options.lockTtlMs ?? 30_000;
    const heartbeatMs = options.heartbeatMs ?? 10_000;
    assertDuration(lockTtlMs, 'options.lockTtlMs');
    assertDuration(heartbeatMs, 'options.heartbeatMs');
    if (heartbeatMs * 3 > lockTtlMs) {
      throw new ValidationError(`heartbeatMs (${heartbeatMs}) must be at most a third of lockTtlMs (${lockTtlMs}) so a renew can fail and be retried before the lease lapses`, {
        path: 'options.heartbeatMs',
      });
    }
    const limits = { ...DEFAULT_LIMITS, ...options.limits };
    assertCount(limits.maxMessageBytes, 'options.limits.maxMessageBytes', { min: 1 });
    assertCount(limits.maxMessagesPerAppend, 'options.limits.maxMessagesPerAppend', { min: 1 });
    const owner = options.owner ?? newOwnerId('manager');
    assertId(owner, 'options.owner');
    this.engine = options.engine;
    this.lockTtlMs = lockTtlMs;
    this.heartbeatMs = heartbeatMs;
    this.owner = owner;
    this.limits = Object.freeze(limits);
    this.#clock = options.clock ?? Date.now;
  }

  /** Subscribes to `messages` (appended) or `session` (created, updated, cleared, deleted) events; returns an unsubscribe function. */
  on<E extends keyof SessionManagerEvents>(event: E, listener: (payload: SessionManagerEvents[E]) => void): () => void {
    assertListener(event, listener);
    return this.#events.on(event, listener);
  }

  off<E extends keyof SessionManagerEvents>(event: E, listener: (payload: SessionManagerEvents[E]) => void): void {
    assertListener(event, listener);
    this.#events.off(event, listener);
  }

  #now(): Date {
    return new Date(this.#clock());
  }

  async create(input: CreateSessionInput): Promise<Session> {
    if (!isOptionsObject(input)) throw new ValidationError(`expected { userId, sessionId?, ... }, got ${describeType(input)}`, { path: 'input' });
    for (const field of Object.keys(input)) {
      if (!CREATE_FIELDS.includes(field)) throw new ValidationError(`unknown field ${JSON.stringify(field)}; create takes ${CREATE_FIELDS.join(', ')}`, { path: 'input' });
    }
    if (input.messages !== undefined && !Array.isArray(input.messages)) {
      throw new ValidationError(`messages must be an array of { role, content }, got ${describeType(input.messages)}`, { path: 'input.messages' });
    }
    // The initial messages are written in one step, like an append, so the same bound applies.
    if (input.messages && input.messages.length > this.limits.maxMessagesPerAppend) {
      throw new ValidationError(`at most ${this.limits.maxMessagesPerAppend} messages per append (limits.maxMessagesPerAppend); create with fewer and append the rest`, { path: 'input.messages' });
    }
    const userId = input.userId;
    assertId(userId, 'input.userId');
    const sessionId = input.sessionId === undefined ? newSessionId() : input.sessionId;
    assertId(sessionId, 'input.sessionId');
    const now = this.#now();
    const key = { userId, sessionId };
    const messages = (input.messages ?? []).map((message, i) => ({
      ...this.#newMessage(key, message, now, `input.messages[${i}]`),
      seq: i + 1,
    }));
    if (input.ttlMs !== undefined && input.ttlMs !== null) assertDuration(input.ttlMs, 'input.ttlMs');
    const session: Session = {
      userId,
      sessionId,
      title: input.title ?? null,
      metadata: input.metadata ?? {},
      state: input.state ?? {},
      status: 'active',
      createdAt: now,
      updatedAt: now,
      expiresAt: input.ttlMs ? new Date(now.getTime() + input.ttlMs) : null,
      parentSessionId: null,
      parentSeq: null,
      messageCount: messages.length,
      lastSeq: messages.length,
      version: 0,
    };
    const created = await this.#createReplacingExpired(session, messages);
    this.#events.emit('session', { type: 'created', key, session: created });
    if (messages.length > 0) this.#events.emit('messages', { key, messages });
    return created;
  }

  /**
   * Creates the session; an expired leftover under the same key is gone as far as callers can
   * tell, so it is replaced. It is deleted only while it is still expired, so a session another
   * caller has just re-created is never deleted.
   */
  async #createReplacingExpired(session: Session, messages: readonly Message[]): Promise<Session> {
    const key = pickKey(session);
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
      try {
        return await this.engine.createSession(session, messages);
      } catch (error) {
        if (!(error instanceof SessionExistsError)) throw error;
        const stored = await this.engine.getSession(key);
        if (stored && !this.#isExpired(stored)) throw error;
        if (stored) await this.#deleteIfExpired(key);
      }
    }
    throw new ConcurrentUpdateError(key);
  }

  async #deleteIfExpired(key: SessionKey): Promise<void> {
    await this.engine.delete('sessions', {
      where: and(eq('userId', key.userId), eq('sessionId', key.sessionId), lte('expiresAt', this.#now())),
    });
  }

  /** The session, or null if it does not exist or has expired. */
  async get(key: SessionKey): Promise<Session | null> {
    return this.#getAt(key, this.#now());
  }

  async #getAt(key: SessionKey, now: Date): Promise<Session | null> {
    assertKey(key);
    const session = await this.engine.getSession(pickKey(key));
    return session && !isExpiredAt(session, now) ? session : null;
  }

  /**
   * The live session, judged at `now`. A caller that reads messages next passes the same `now`
   * as `liveAt`, so the session and its messages are judged at one instant.
   */
  async #require(key: SessionKey, now = this.#now()): Promise<Session> {
    const session = await this.#getAt(key, now);
    if (!session) throw new SessionNotFoundError(key);
    return session;
  }

  /** The session if it exists, else a new one made from `input`. Safe when called concurrently. */
  async getOrCreate(input: CreateSessionInput & { sessionId: string }): Promise<Session> {
    if (!isOptionsObject(input)) throw new ValidationError(`expected { userId, sessionId, ... }, got ${describeType(input)}`, { path: 'input' });
    // Checked up front so a misspelt field fails whether or not the session already exists.
    for (const field of Object.keys(input)) {
      if (!CREATE_FIELDS.includes(field)) throw new ValidationError(`unknown field ${JSON.stringify(field)}; getOrCreate takes ${CREATE_FIELDS.join(', ')}`, { path: 'input' });
    }
    const key = { userId: input.userId, sessionId: input.sessionId };
    assertKey(key, 'input');
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
      const stored = await this.engine.getSession(key);
      if (stored && !this.#isExpired(stored)) return stored;
      // An expired leftover is gone as far as callers can tell: replace it (see #createReplacingExpired).
      if (stored) await this.#deleteIfExpired(key);
      try {
        return await this.create(input);
      } catch (error) {
        if (!(error instanceof SessionExistsError)) throw error;
      }
    }
    throw new ConcurrentUpdateError(key);
  }

  /** A user's sessions, newest activity first by default, one keyset page at a time. */
  async list(options: ListOptions): Promise<ListResult> {
    if (!isOptionsObject(options)) throw new ValidationError(`expected { userId, ... }, got ${describeType(options)}`, { path: 'options' });
    assertOptionKeys(options, LIST_OPTIONS, 'options');
    assertId(options.userId, 'options.userId');
    assertOptionalBoolean(options.includeArchived, 'options.includeArchived');
    if (options.cursor !== undefined && options.cursor !== null && typeof options.cursor !== 'string') {
      throw new ValidationError(`cursor is the nextCursor string of the previous page, or null; got ${describeType(options.cursor)}`, { path: 'options.cursor' });
    }
    const limit = options.limit ?? 20;
    assertCount(limit, 'options.limit', { min: 1 });
    if (limit > 1_000) throw new ValidationError('a page holds at most 1000 sessions', { path: 'options.limit' });
    const requested: unknown = options.orderBy;
    // The engine's array form with one term is accepted too: orderBy: [desc('updatedAt')].
    const order = (Array.isArray(requested) && requested.length === 1 ? requested[0] : (requested ?? { field: 'updatedAt', direction: 'desc' })) as ListOrder;
    if (!isOptionsObject(order) || !LIST_ORDER_FIELDS.includes(order.field) || (order.direction !== 'asc' && order.direction !== 'desc')) {
      throw new ValidationError(`orderBy is { field: ${LIST_ORDER_FIELDS.map((f) => `'${f}'`).join(' | ')}, direction: 'asc' | 'desc' }`, {
        path: 'options.orderBy',
      });
    }
    const now = this.#now();
    const filters: Filter[] = [eq('userId', options.userId), or(isNull('expiresAt'), gt('expiresAt', now))];
    if (!options.includeArchived) filters.push(eq('status', 'active'));
    if (options.where !== undefined) filters.push(options.where);
    if (options.cursor) filters.push(decodeCursor(options.cursor, order));
    const rows = await this.engine.findMany('sessions', {
      where: and(...filters),
      orderBy: [order, { field: 'sessionId', direction: order.direction }],
      limit: limit + 1,
    });
    const sessions = rows.slice(0, limit);
    const last = sessions.at(-1);
    return { sessions, nextCursor: rows.length > limit && last ? encodeCursor(last, order) : null };
  }

  async update(key: SessionKey, input: UpdateSessionInput, options: UpdateOptions = {}): Promise<Session> {
    assertKey(key);
    assertOptionKeys(options, UPDATE_OPTIONS, 'options');
    const { expectedVersion, ...leaseOptions } = options;
    if (expectedVersion !== undefined) assertCount(expectedVersion, 'options.expectedVersion');
    if (!isOptionsObject(input)) throw new ValidationError(`expected { title?, metadata?, ttlMs? }, got ${describeType(input)}`, { path: 'input' });
    for (const field of Object.keys(input)) {
      if (!['title', 'metadata', 'ttlMs'].includes(field)) throw new ValidationError(`unknown field ${JSON.stringify(field)}; update takes title, metadata, ttlMs`, { path: 'input' });
    }
    const now = this.#now();
    const changes: Parameters<Engine['updateSession']>[1] = { updatedAt: now };
    if (input.title !== undefined) {
      assertOptionalText(input.title, 'input.title', TITLE_MAX_LENGTH);
      changes.title = input.title;
    }
    if (input.metadata !== undefined) changes.metadata = input.metadata;
    if (input.ttlMs !== undefined) {
      if (input.ttlMs !== null) assertDuration(input.ttlMs, 'input.ttlMs');
      changes.expiresAt = input.ttlMs === null ? null : new Date(now.getTime() + input.ttlMs);
    }
    const write = this.#write(leaseOptions, now);
    const session = await this.engine.updateSession(pickKey(key), changes, expectedVersion === undefined ? write : { ...write, expectedVersion });
    this.#events.emit('session', { type: 'updated', key: pickKey(key), session });
    return session;
  }

  async getState(key: SessionKey): Promise<JsonObject> {
    return (await this.#require(key)).state;
  }

  /**
   * Patches the session's state with a JSON Merge Patch (`null` removes a key), or replaces
   * it with `{ replace: true }`. Concurrent patches never lose each other's keys.
   */
  async setState(key: SessionKey, patch: JsonObject, options: LeaseOptions & { replace?: boolean } = {}): Promise<JsonObject> {
    assertKey(key);
    assertJsonObject(patch, 'patch');
    assertOptionKeys(options, [...LEASE_OPTIONS, 'replace'], 'options');
    assertOptionalBoolean(options.replace, 'options.replace');
    const write = { lease: options.lease };
    for (let attempt = 0; attempt < MAX_OPTIMISTIC_RETRIES; attempt++) {
      const current = await this.#require(key);
      const state = options.replace ? patch : applyMergePatch(current.state, patch);
      const now = this.#now();
      try {
        const session = await this.engine.updateSession(pickKey(key), { state, updatedAt: now }, { ...this.#write(write, now), expectedVersion: current.version });
        this.#events.emit('session', { type: 'updated', key: pickKey(key), session });
        return session.state;
      } catch (error) {
        if (!(error instanceof ConcurrentUpdateError)) throw error;
      }
      // Lost the race: back off with jitter so concurrent patchers spread out.
      await sleep(Math.random() * Math.min(50, 2 ** attempt));
    }
    throw new ConcurrentUpdateError(key);
  }

  /** Appends messages in order; the store assigns their seq. With a lease, the write is fenced. */
  async append(key: SessionKey, messages: MessageInput | MessageInput[], options: LeaseOptions = {}): Promise<Message[]> {
    assertKey(key);
    const list = Array.isArray(messages) ? messages : [messages];
    if (list.length > this.limits.maxMessagesPerAppend) {
      throw new ValidationError(`at most ${this.limits.maxMessagesPerAppend} messages per append`, { path: 'messages' });
    }
    const now = this.#now();
    const records = list.map((message, i) => this.#newMessage(key, message, now, `messages[${i}]`));
    const appended = await this.engine.appendMessages(pickKey(key), records, this.#write(options, now));
    if (appended.length > 0) this.#events.emit('messages', { key: pickKey(key), messages: appended });
    return appended;
  }

  #newMessage(key: SessionKey, input: MessageInput, now: Date, path: string): NewMessage {
    if (!isOptionsObject(input)) throw new ValidationError(`expected a message { role, content }, got ${describeType(input)}`, { path });
    const allowed = ['role', 'content', 'id', 'name', 'toolCalls', 'toolCallId', 'agentId', 'runId', 'metadata'];
    for (const field of Object.keys(input)) {
      if (!allowed.includes(field)) throw new ValidationError(`unknown message field ${JSON.stringify(field)}`, { path });
    }
    const message: NewMessage = {
      userId: key.userId,
      sessionId: key.sessionId,
      id: input.id ?? newMessageId(),
      role: input.role,
      content: input.content,
      name: input.name ?? null,
      toolCalls: input.toolCalls ?? null,
      toolCallId: input.toolCallId ?? null,
      agentId: input.agentId ?? null,
      runId: input.runId ?? null,
      metadata: input.metadata ?? {},
      createdAt: now,
    };
    assertNewMessage(message, path);
    assertMessageSize(message, this.limits.maxMessageBytes, path);
    return message;
  }

  /** Messages oldest first: all of them, the `last` N, or a seq range. */
  async messages(key: SessionKey, query: MessagesQuery = {}): Promise<Message[]> {
    assertKey(key);
    assertOptionKeys(query, MESSAGES_QUERY_OPTIONS, 'query');
    // An expired session is gone to its users (as in get), so are its messages, until deleteExpired removes them.
    return this.engine.readMessages(pickKey(key), { ...query, liveAt: this.#now() });
  }

  /** Removes every message and keeps the session; seq values are never reused. */
  async clear(key: SessionKey, options: LeaseOptions = {}): Promise<number> {
    assertKey(key);
    const now = this.#now();
    const count = await this.engine.clearMessages(pickKey(key), { ...this.#write(options, now), updatedAt: now });
    this.#events.emit('session', { type: 'cleared', key: pickKey(key) });
    return count;
  }

  /**
   * Deletes the messages after `afterSeq` in one atomic step, keeping the earlier ones and the
   * session; returns how many went. Like `clear`, it never reuses seq values: the next append
   * continues after the session's `lastSeq`.
   */
  async truncate(key: SessionKey, input: TruncateInput, options: LeaseOptions = {}): Promise<number> {
    assertKey(key);
    if (!isOptionsObject(input)) throw new ValidationError(`expected { afterSeq }, got ${describeType(input)}`, { path: 'input' });
    assertCount(input.afterSeq, 'input.afterSeq');
    const now = this.#now();
    const count = await this.engine.truncateMessages(pickKey(key), { ...this.#write(options, now), afterSeq: input.afterSeq, updatedAt: now });
    this.#events.emit('session', { type: 'truncated', key: pickKey(key), afterSeq: input.afterSeq });
    return count;
  }

  /** A new session holding a copy of the messages up to `upToSeq`, with lineage; the original is unchanged. */
  async fork(key: SessionKey, options: ForkOptions = {}): Promise<Session> {
    assertOptionKeys(options, ['sessionId', 'upToSeq', 'title'], 'options');
    const readAt = this.#now();
    const source = await this.#require(key, readAt);
    const upToSeq = options.upToSeq ?? source.lastSeq;
    assertCount(upToSeq, 'options.upToSeq');
    if (upToSeq > source.lastSeq) throw new ValidationError(`upToSeq ${upToSeq} is past the session's last seq (${source.lastSeq})`, { path: 'options.upToSeq' });
    const sessionId = options.sessionId ?? newSessionId();
    assertId(sessionId, 'options.sessionId');
    const messages = (await this.engine.readMessages(pickKey(key), { beforeSeq: upToSeq + 1, liveAt: readAt })).map((message) => ({ ...message, sessionId }));
    // No messages from a session that had some: it expired or went away in between, unless it was cleared.
    if (messages.length === 0 && source.messageCount > 0) await this.#require(key);
    const now = this.#now();
    const forked = await this.#createReplacingExpired(
      {
        ...source,
        sessionId,
        title: options.title === undefined ? source.title : options.title,
        status: 'active',
        createdAt: now,
        updatedAt: now,
        parentSessionId: source.sessionId,
        parentSeq: upToSeq,
        messageCount: messages.length,
        lastSeq: upToSeq,
        version: 0,
      },
      messages,
    );
    this.#events.emit('session', { type: 'created', key: pickKey(forked), session: forked });
    if (messages.length > 0) this.#events.emit('messages', { key: pickKey(forked), messages });
    return forked;
  }

  archive(key: SessionKey): Promise<Session> {
    return this.#setStatus(key, 'archived');
  }

  unarchive(key: SessionKey): Promise<Session> {
    return this.#setStatus(key, 'active');
  }

  async #setStatus(key: SessionKey, status: Session['status']): Promise<Session> {
    assertKey(key);
    const now = this.#now();
    const session = await this.engine.updateSession(pickKey(key), { status, updatedAt: now }, { liveAt: now });
    this.#events.emit('session', { type: 'updated', key: pickKey(key), session });
    return session;
  }

  /** Archives active sessions not updated for `olderThan` (ms, or since a Date); returns how many. */
  async archiveInactive(options: { olderThan: number | Date; userId?: string }): Promise<number> {
    if (!isOptionsObject(options)) throw new ValidationError('expected { olderThan }', { path: 'options' });
    assertOptionKeys(options, ['olderThan', 'userId'], 'options');
    const now = this.#now();
    let cutoff: Date;
    if (options.olderThan instanceof Date && !Number.isNaN(options.olderThan.getTime())) cutoff = options.olderThan;
    else if (typeof options.olderThan === 'number' && Number.isSafeInteger(options.olderThan) && options.olderThan >= 0) {
      cutoff = new Date(now.getTime() - options.olderThan);
    } else throw new ValidationError('olderThan is a Date or a whole number of milliseconds', { path: 'options.olderThan' });
    const filters: Filter[] = [eq('status', 'active'), lt('updatedAt', cutoff)];
    if (options.userId !== undefined) {
      assertId(options.userId, 'options.userId');
      filters.push(eq('userId', options.userId));
    }
    return this.engine.update('sessions', { where: and(...filters), set: { status: 'archived', updatedAt: now } });
  }

  /** Deletes the session and its messages; false if there was none. */
  async delete(key: SessionKey, options: LeaseOptions = {}): Promise<boolean> {
    assertKey(key);
    const deleted = await this.engine.deleteSession(pickKey(key), this.#fence(options));
    if (deleted) this.#events.emit('session', { type: 'deleted', key: pickKey(key) });
    return deleted;
  }

  /** Deletes every session whose TTL has passed, with its messages; returns how many. */
  async deleteExpired(): Promise<number> {
    return this.engine.deleteExpired(this.#now());
  }

  /** The session and all its messages in the versioned export format. */
  async export(key: SessionKey): Promise<SessionExport> {
    const readAt = this.#now();
    const session = await this.#require(key, readAt);
    const messages = await this.engine.readMessages(pickKey(key), { liveAt: readAt });
    // No messages from a session that had some: it expired or went away in between, unless it was cleared.
    if (messages.length === 0 && session.messageCount > 0) await this.#require(key);
    return toExport(session, messages);
  }

  /** Writes an export (object or JSON text) into this manager's store, all or nothing. */
  async import(data: unknown, options: ImportOptions = {}): Promise<Session> {
    assertOptionKeys(options, ['onConflict'], 'options');
    const { session, messages } = parseExport(data);
    messages.forEach((message, i) => assertMessageSize(message, this.limits.maxMessageBytes, `export.messages[${i}]`));
    const onConflict = options.onConflict ?? 'error';
    if (onConflict !== 'error' && onConflict !== 'skip') throw new ValidationError(`onConflict is 'error' or 'skip'`, { path: 'options.onConflict' });
    try {
      const created = await this.#createReplacingExpired(session, messages);
      this.#events.emit('session', { type: 'created', key: pickKey(created), session: created });
      if (messages.length > 0) this.#events.emit('messages', { key: pickKey(created), messages });
      return created;
    } catch (error) {
      if (error instanceof SessionExistsError && onConflict === 'skip') return (await this.engine.getSession(pickKey(session)))!;
      throw error;
    }
  }

  /**
   * Takes the session's lease. While another unexpired lease exists this fails with
   * `LockHeldError`, or waits up to `waitMs` for it to end.
   */
  async acquire(key: SessionKey, options: AcquireOptions = {}): Promise<HeldLease> {
    assertKey(key);
    assertOptionKeys(options, ACQUIRE_OPTIONS, 'options');
    assertOptionalSignal(options.signal, 'options.signal');
    const ttlMs = options.ttlMs ?? this.lockTtlMs;
    assertDuration(ttlMs, 'options.ttlMs');
    const owner = options.owner ?? this.owner;
    assertId(owner, 'options.owner');
    const waitMs = options.waitMs ?? 0;
    assertCount(waitMs, 'options.waitMs');
    const signal = options.signal;
    const giveUpAt = performance.now() + waitMs;
    let backoffMs = 10;
    for (;;) {
      signal?.throwIfAborted();
      const requestedAt = performance.now();
      const grant = await this.engine.acquireLease(pickKey(key), { owner, ttlMs });
      if (grant.acquired) return holdLease(grant.lease, ttlMs, requestedAt);
      const remaining = giveUpAt - performance.now();
      if (remaining <= 0) throw new LockHeldError(key, grant.holder, grant.expiresAt);
      await sleep(Math.min(remaining, backoffMs * (0.5 + Math.random())), signal);
      backoffMs = Math.min(backoffMs * 2, 250);
    }
  }

  /**
   * Extends the lease by its TTL; `LockExpiredError` if it was lost. The lease passed in is
   * extended too (its local deadline moves with the renewal), so code holding either object
   * keeps writing; the returned one also carries the store's new `expiresAt`.
   */
  async renew(lease: HeldLease): Promise<HeldLease> {
    assertHeldLease(lease);
    const renewed = await this.#renewOrNull(lease);
    if (!renewed) throw new LockExpiredError(lease);
    return renewed;
  }

  async #renewOrNull(lease: HeldLease): Promise<HeldLease | null> {
    const ttlMs = lease.ttlMs ?? this.lockTtlMs;
    const requestedAt = performance.now();
    const renewed = await this.engine.renewLease(lease, { ttlMs });
    return renewed ? renewedLease(lease, renewed, requestedAt) : null;
  }

  /** Ends the lease if it is still the caller's; never touches a newer holder's lease. */
  async release(lease: HeldLease): Promise<boolean> {
    assertHeldLease(lease);
    return this.engine.releaseLease(lease);
  }

  /**
   * Runs `fn` with the session's lease held: acquires it (waiting up to `waitMs`), renews it
   * every `heartbeatMs`, loads the history inside it, hands `fn` an `append` bound to it and
   * a signal that aborts if it is lost, and releases it however `fn` ends. What `fn`
   * appended before a failure stays; nothing is written after the lease is lost.
   *
   * @example
   * const reply = await sessions.run({ userId, sessionId }, async ({ history, append, signal }) => {
   *   await append({ role: 'user', content: text });
   *   const answer = await model.generate([...history, { role: 'user', content: text }], { signal });
   *   await append({ role: 'assistant', content: answer });
   *   return answer;
   * });
   */
  async run<T>(key: SessionKey, fn: (context: RunContext) => Promise<T> | T, options: RunOptions = {}): Promise<T> {
    assertKey(key);
    if (typeof fn !== 'function') throw new ValidationError('run needs a callback', { path: 'fn' });
    assertOptionKeys(options, RUN_OPTIONS, 'options');
    const historyOption = checkHistoryOption(options.history);
    const sessionKey = pickKey(key);
    const { ttlMs, owner, waitMs, signal } = options;
    const lease = await this.acquire(sessionKey, { ttlMs, owner, waitMs, signal });
    const keeper = new LeaseKeeper(lease, {
      // A shorter lease for this run needs a faster heartbeat: renew at least three times per TTL.
      heartbeatMs: Math.max(1, Math.min(this.heartbeatMs, Math.floor(lease.ttlMs / 3))),
      renew: (current) => this.#renewOrNull(current),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    try {
      // One instant for the session and its history, so a run never sees a live session with an empty past.
      const readAt = this.#now();
      const session = await this.#require(sessionKey, readAt);
      const history = historyOption === false ? [] : await this.engine.readMessages(sessionKey, { last: historyOption.last, liveAt: readAt });
      // No history from a session that had some: it expired or went away in between, unless it was cleared.
      if (history.length === 0 && historyOption !== false && historyOption.last !== 0 && session.messageCount > 0) await this.#require(sessionKey);
      keeper.throwIfLost();
      const context: RunContext = {
        key: sessionKey,
        session,
        history,
        get lease() {
          return keeper.lease;
        },
        signal: keeper.signal,
        append: async (messages) => {
          keeper.throwIfLost();
          return this.append(sessionKey, messages, { lease: keeper.lease });
        },
        setState: async (patch) => {
          keeper.throwIfLost();
          return this.setState(sessionKey, patch, { lease: keeper.lease });
        },
        truncate: async (afterSeq) => {
          keeper.throwIfLost();
          return this.truncate(sessionKey, { afterSeq }, { lease: keeper.lease });
        },
      };
      return await fn(context);
    } catch (error) {
      throw keeper.lostError && !(error instanceof LockExpiredError) ? keeper.lostError : error;
    } finally {
      keeper.stop();
      // A failed release is harmless: the lease lapses at its TTL and its token is never reused.
      await this.engine.releaseLease(keeper.lease).catch(() => undefined);
    }
  }

  /** Options for a write at `now`: fenced by the caller's lease, refused if the session has expired by then. */
  #write(options: LeaseOptions, now: Date): SessionWriteOptions {
    return { ...this.#fence(options), liveAt: now };
  }

  #fence(options: LeaseOptions): { lease?: HeldLease } {
    assertOptionKeys(options, LEASE_OPTIONS, 'options');
    const lease = options.lease;
    if (lease === undefined) return {};
    if (isLocallyExpired(lease)) throw new LockExpiredError(lease, 'its local deadline passed');
    return { lease };
  }

  #isExpired(session: Session): boolean {
    return isExpiredAt(session, this.#clock());
  }
}

const EVENT_NAMES: ReadonlyArray<keyof SessionManagerEvents> = ['messages', 'session'];

/** A misspelt event name would never fire, and a listener that is not a function would throw on every later emit. */
function assertListener(event: unknown, listener: unknown): void {
  if (!EVENT_NAMES.includes(event as keyof SessionManagerEvents)) {
    throw new ValidationError(`unknown event ${JSON.stringify(event)}; listen to 'messages' or 'session'`, { path: 'event' });
  }
  if (typeof listener !== 'function') throw new ValidationError(`the listener must be a function, got ${describeType(listener)}`, { path: 'listener' });
}

function checkHistoryOption(history: unknown): { last?: number } | false {
  if (history === undefined) return {};
  if (history === false) return false;
  if (!isPlainObject(history)) throw new ValidationError(`history is { last: N } or false, got ${describeType(history)}`, { path: 'options.history' });
  assertOptionKeys(history, ['last'], 'options.history');
  if (history['last'] !== undefined) assertCount(history['last'], 'options.history.last');
  return history as { last?: number };
}

function assertHeldLease(lease: unknown): void {
  if (!isPlainObject(lease)) throw new ValidationError(`expected a lease from acquire(), got ${describeType(lease)}`, { path: 'lease' });
}

function pickKey(key: SessionKey): SessionKey {
  return { userId: key.userId, sessionId: key.sessionId };
}
