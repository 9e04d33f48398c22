import type { Engine } from '../engine/engine.js';
import { LockExpiredError, SessionExistsError, ValidationError, type SessionKey } from '../errors.js';
import { and, eq, lt } from '../filter/builders.js';
import type { Filter } from '../filter/types.js';
import { newSessionId } from '../ids.js';
import { assertJsonObject, type JsonObject } from '../json.js';
import type { Message } from '../models/message-model.js';
import type { Session } from '../models/session-model.js';
import { assertKey } from '../validate.js';
import { createReplacingExpired, getOrCreateSession, retryConcurrentUpdates } from './optimistic-writes.js';
import { TypedEmitter, type SessionManagerEvents } from './events.js';
import { parseExport, toExport, type SessionExport } from './export-format.js';
import { fence, fencedWrite } from './fenced-write.js';
import type { HeldLease } from './held-lease.js';
import { acquireLease, renewOrNull, runUnderLease, type RunContext } from './lease-runner.js';
import { listSessions, type ListResult } from './list-sessions.js';
import * as inputs from './manager-inputs.js';
import type { AcquireOptions, CreateSessionInput, ForkOptions, ImportOptions, LeaseOptions, ListOptions, MessagesQuery } from './manager-inputs.js';
import type { RunOptions, SessionManagerLimits, SessionManagerOptions, TruncateInput, UpdateOptions, UpdateSessionInput } from './manager-inputs.js';
import { applyMergePatch } from './merge-patch.js';
import type { MessageInput } from './message-input.js';
import { assertMessageSize } from './message-size.js';
import { forkedSession, newSession, updateChanges } from './session-records.js';
import { newMessage } from './new-message.js';
import { getLive, readLive, requireLive, type RangeOf } from './read-live.js';

export type { AcquireOptions, CreateSessionInput, ForkOptions, ImportOptions, LeaseOptions, ListOptions, MessagesQuery } from './manager-inputs.js';
export type { RunOptions, SessionManagerLimits, SessionManagerOptions, TruncateInput, UpdateOptions, UpdateSessionInput } from './manager-inputs.js';
export type { ListResult } from './list-sessions.js';
export type { RunContext } from './lease-runner.js';

const CREATE_MESSAGE = inputs.messageInput('create()');
const APPEND_MESSAGE = inputs.messageInput('append()');

/**
 * Sessions for many users on one engine, with leases for exclusive runs. Stateless over its
 * engine: any number of managers, in any number of processes, may share one store.
 *
 * Every options object is parsed by its declared shape (`manager-inputs.ts`): unknown keys are
 * refused, values are checked once, and records go to the engine, which validates them.
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
    const resolved = inputs.resolveManagerOptions(options);
    this.engine = resolved.engine;
    this.lockTtlMs = resolved.lockTtlMs;
    this.heartbeatMs = resolved.heartbeatMs;
    this.owner = resolved.owner;
    this.limits = resolved.limits;
    this.#clock = resolved.clock;
  }

  /** Subscribes to `messages` (appended) or `session` (created, updated, cleared, deleted) events; returns an unsubscribe function. */
  on<E extends keyof SessionManagerEvents>(event: E, listener: (payload: SessionManagerEvents[E]) => void): () => void {
    inputs.assertListener(event, listener);
    return this.#events.on(event, listener);
  }

  off<E extends keyof SessionManagerEvents>(event: E, listener: (payload: SessionManagerEvents[E]) => void): void {
    inputs.assertListener(event, listener);
    this.#events.off(event, listener);
  }

  #now(): Date {
    return new Date(this.#clock());
  }

  async create(input: CreateSessionInput): Promise<Session> {
    return this.#create(inputs.CREATE_INPUT.parse(input, 'input'));
  }

  async #create(input: ReturnType<typeof inputs.CREATE_INPUT.parse>): Promise<Session> {
    // The initial messages are written in one step, like an append, so the same bound applies.
    if (input.messages && input.messages.length > this.limits.maxMessagesPerAppend) {
      const most = `at most ${this.limits.maxMessagesPerAppend} messages per append (limits.maxMessagesPerAppend)`;
      throw new ValidationError(`${most}; create with fewer and append the rest`, { path: 'input.messages' });
    }
    const key = { userId: input.userId, sessionId: input.sessionId ?? newSessionId() };
    const now = this.#now();
    const messages = (input.messages ?? []).map((message, i) => {
      return { ...newMessage(key, message, now, CREATE_MESSAGE, this.limits.maxMessageBytes, `input.messages[${i}]`), seq: i + 1 };
    });
    const session = newSession(key, input, messages.length, now);
    return this.#insert(session, messages);
  }

  /** Creates the session with its messages (an expired leftover under its key is replaced) and tells listeners. */
  async #insert(session: Session, messages: readonly Message[]): Promise<Session> {
    const created = await createReplacingExpired(this.engine, session, messages, () => this.#now());
    this.#events.emit('session', { type: 'created', key: pickKey(created), session: created });
    if (messages.length > 0) this.#events.emit('messages', { key: pickKey(created), messages });
    return created;
  }

  /** The session, or null if it does not exist or has expired. */
  async get(key: SessionKey): Promise<Session | null> {
    assertKey(key);
    return getLive(this.engine, pickKey(key), this.#now());
  }

  #readLive(key: SessionKey, rangeOf: RangeOf): Promise<{ session: Session; messages: Message[] }> {
    assertKey(key);
    return readLive(this.engine, pickKey(key), () => this.#now(), rangeOf);
  }

  /** The session if it exists, else a new one made from `input`. Safe when called concurrently. */
  async getOrCreate(input: CreateSessionInput & { sessionId: string }): Promise<Session> {
    // Parsed up front so a misspelt field fails whether or not the session already exists.
    const parsed = inputs.GET_OR_CREATE_INPUT.parse(input, 'input');
    const key = { userId: parsed.userId, sessionId: parsed.sessionId };
    return getOrCreateSession(
      this.engine,
      key,
      () => this.#create(parsed),
      () => this.#now(),
    );
  }

  /** A user's sessions, newest activity first by default, one keyset page at a time. */
  async list(options: ListOptions): Promise<ListResult> {
    return listSessions(this.engine, inputs.LIST_OPTIONS.parse(options, 'options'), this.#now());
  }

  async update(key: SessionKey, input: UpdateSessionInput, options: UpdateOptions = {}): Promise<Session> {
    assertKey(key);
    const { expectedVersion, ...leaseOptions } = inputs.UPDATE_OPTIONS.parse(options, 'options');
    const changes = inputs.UPDATE_INPUT.parse(input, 'input');
    const now = this.#now();
    const write = { ...fencedWrite(leaseOptions, now), ...(expectedVersion === undefined ? {} : { expectedVersion }) };
    const session = await this.engine.updateSession(pickKey(key), updateChanges(changes, now), write);
    this.#events.emit('session', { type: 'updated', key: pickKey(key), session });
    return session;
  }

  async getState(key: SessionKey): Promise<JsonObject> {
    assertKey(key);
    return (await requireLive(this.engine, pickKey(key), this.#now())).state;
  }

  /**
   * Patches the session's state with a JSON Merge Patch (`null` removes a key), or replaces
   * it with `{ replace: true }`. Concurrent patches never lose each other's keys.
   */
  async setState(key: SessionKey, patch: JsonObject, options: LeaseOptions & { replace?: boolean } = {}): Promise<JsonObject> {
    assertKey(key);
    assertJsonObject(patch, 'patch');
    const { replace, ...leaseOptions } = inputs.SET_STATE_OPTIONS.parse(options, 'options');
    return retryConcurrentUpdates(pickKey(key), async () => {
      const current = await requireLive(this.engine, pickKey(key), this.#now());
      const state = replace ? patch : applyMergePatch(current.state, patch);
      const now = this.#now();
      const write = { ...fencedWrite(leaseOptions, now), expectedVersion: current.version };
      const session = await this.engine.updateSession(pickKey(key), { state, updatedAt: now }, write);
      this.#events.emit('session', { type: 'updated', key: pickKey(key), session });
      return session.state;
    });
  }

  /** Appends messages in order; the store assigns their seq. With a lease, the write is fenced. */
  async append(key: SessionKey, messages: MessageInput | MessageInput[], options: LeaseOptions = {}): Promise<Message[]> {
    assertKey(key);
    const leaseOptions = inputs.APPEND_OPTIONS.parse(options, 'options');
    const list = Array.isArray(messages) ? messages : [messages];
    if (list.length > this.limits.maxMessagesPerAppend) {
      throw new ValidationError(`at most ${this.limits.maxMessagesPerAppend} messages per append`, { path: 'messages' });
    }
    const now = this.#now();
    const records = list.map((message, i) => newMessage(key, message, now, APPEND_MESSAGE, this.limits.maxMessageBytes, `messages[${i}]`));
    const appended = await this.engine.appendMessages(pickKey(key), records, fencedWrite(leaseOptions, now));
    if (appended.length > 0) this.#events.emit('messages', { key: pickKey(key), messages: appended });
    return appended;
  }

  /** Messages oldest first: all of them, the `last` N, or a seq range. */
  async messages(key: SessionKey, query: MessagesQuery = {}): Promise<Message[]> {
    assertKey(key);
    const range = inputs.MESSAGES_QUERY.parse(query, 'query');
    // An expired session is gone to its users (as in get), so are its messages, until deleteExpired removes them.
    return this.engine.readMessages(pickKey(key), { ...range, liveAt: this.#now() });
  }

  /** Removes every message and keeps the session; seq values are never reused. */
  async clear(key: SessionKey, options: LeaseOptions = {}): Promise<number> {
    assertKey(key);
    const leaseOptions = inputs.CLEAR_OPTIONS.parse(options, 'options');
    const now = this.#now();
    const count = await this.engine.clearMessages(pickKey(key), { ...fencedWrite(leaseOptions, now), updatedAt: now });
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
    const { afterSeq } = inputs.TRUNCATE_INPUT.parse(input, 'input');
    const leaseOptions = inputs.TRUNCATE_OPTIONS.parse(options, 'options');
    const now = this.#now();
    const count = await this.engine.truncateMessages(pickKey(key), { ...fencedWrite(leaseOptions, now), afterSeq, updatedAt: now });
    this.#events.emit('session', { type: 'truncated', key: pickKey(key), afterSeq });
    return count;
  }

  /** A new session holding a copy of the messages up to `upToSeq`, with lineage; the original is unchanged. */
  async fork(key: SessionKey, options: ForkOptions = {}): Promise<Session> {
    const parsed = inputs.FORK_OPTIONS.parse(options, 'options');
    const sessionId = parsed.sessionId ?? newSessionId();
    let upToSeq = 0;
    const { session: source, messages } = await this.#readLive(key, (session) => {
      upToSeq = parsed.upToSeq ?? session.lastSeq;
      if (upToSeq > session.lastSeq) {
        throw new ValidationError(`upToSeq ${upToSeq} is past the session's last seq (${session.lastSeq})`, { path: 'options.upToSeq' });
      }
      return { beforeSeq: upToSeq + 1 };
    });
    const now = this.#now();
    const copies = messages.map((message) => ({ ...message, sessionId }));
    return this.#insert(forkedSession(source, { ...parsed, sessionId, upToSeq }, copies.length, now), copies);
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
    const { olderThan, userId } = inputs.ARCHIVE_INACTIVE_OPTIONS.parse(options, 'options');
    const now = this.#now();
    const cutoff = olderThan instanceof Date ? olderThan : new Date(now.getTime() - olderThan);
    const filters: Filter[] = [eq('status', 'active'), lt('updatedAt', cutoff)];
    if (userId !== undefined) filters.push(eq('userId', userId));
    return this.engine.update('sessions', { where: and(...filters), set: { status: 'archived', updatedAt: now } });
  }

  /** Deletes the session and its messages; false if there was none. */
  async delete(key: SessionKey, options: LeaseOptions = {}): Promise<boolean> {
    assertKey(key);
    const deleted = await this.engine.deleteSession(pickKey(key), fence(inputs.DELETE_OPTIONS.parse(options, 'options').lease));
    if (deleted) this.#events.emit('session', { type: 'deleted', key: pickKey(key) });
    return deleted;
  }

  /** Deletes every session whose TTL has passed, with its messages; returns how many. */
  async deleteExpired(): Promise<number> {
    return this.engine.deleteExpired(this.#now());
  }

  /** The session and all its messages in the versioned export format. */
  async export(key: SessionKey): Promise<SessionExport> {
    const { session, messages } = await this.#readLive(key, () => ({}));
    return toExport(session, messages);
  }

  /** Writes an export (object or JSON text) into this manager's store, all or nothing. */
  async import(data: unknown, options: ImportOptions = {}): Promise<Session> {
    const onConflict = inputs.IMPORT_OPTIONS.parse(options, 'options').onConflict ?? 'error';
    const { session, messages } = parseExport(data);
    messages.forEach((message, i) => assertMessageSize(message, this.limits.maxMessageBytes, `export.messages[${i}]`));
    try {
      return await this.#insert(session, messages);
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
    return this.#acquire(key, inputs.ACQUIRE_OPTIONS.parse(options, 'options'));
  }

  #acquire(key: SessionKey, { ttlMs = this.lockTtlMs, owner = this.owner, waitMs = 0, signal }: AcquireOptions): Promise<HeldLease> {
    return acquireLease(this.engine, pickKey(key), { ttlMs, owner, waitMs, signal });
  }

  /**
   * Extends the lease by its TTL; `LockExpiredError` if it was lost. The lease passed in is
   * extended too (its local deadline moves with the renewal), so code holding either object
   * keeps writing; the returned one also carries the store's new `expiresAt`.
   */
  async renew(lease: HeldLease): Promise<HeldLease> {
    inputs.assertHeldLease(lease);
    const renewed = await this.#renewOrNull(lease);
    if (!renewed) throw new LockExpiredError(lease);
    return renewed;
  }

  #renewOrNull(lease: HeldLease): Promise<HeldLease | null> {
    return renewOrNull(this.engine, lease, lease.ttlMs ?? this.lockTtlMs);
  }

  /** Ends the lease if it is still the caller's; never touches a newer holder's lease. */
  async release(lease: HeldLease): Promise<boolean> {
    inputs.assertHeldLease(lease);
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
    const { history = {}, ...acquireOptions } = inputs.RUN_OPTIONS.parse(options, 'options');
    const sessionKey = pickKey(key);
    const lease = await this.#acquire(sessionKey, acquireOptions);
    return runUnderLease(this, sessionKey, lease, fn, {
      history,
      signal: acquireOptions.signal,
      renew: (current) => this.#renewOrNull(current),
      readLive: (at, rangeOf) => this.#readLive(at, rangeOf),
    });
  }
}

function pickKey(key: SessionKey): SessionKey {
  return { userId: key.userId, sessionId: key.sessionId };
}
