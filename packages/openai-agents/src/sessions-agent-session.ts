import type { AgentInputItem, Session } from '@openai/agents-core';
import {
  assertId,
  describeType,
  isPlainObject,
  newSessionId,
  ValidationError,
  type HeldLease,
  type JsonObject,
  type Message,
  type MessagesQuery,
  type RunContext,
  type RunOptions,
  type SessionKey,
  type SessionManager,
} from '@sessions/core';
import { itemPoppedBy, liveItems, topItem } from './history.js';
import { encodeItem, popMessage } from './item-codec.js';

/** How a session is made when it does not exist yet. */
export interface NewSessionDefaults {
  title?: string | null;
  metadata?: JsonObject;
  state?: JsonObject;
  /** The session expires this long after creation (see `SessionManager.deleteExpired`). */
  ttlMs?: number | null;
}

export interface SessionsAgentSessionOptions {
  /** The manager over the store the history lives in. */
  sessions: SessionManager;
  userId: string;
  /** Generated (`sess_` + ULID) when absent; read it back with `getSessionId()`. */
  sessionId?: string;
  /** Title, metadata, state and TTL for the session if this object creates it. */
  newSession?: NewSessionDefaults;
  /**
   * Fences every write with this lease (or the lease this function returns at the time of
   * the write): a write after the lease was lost fails with `LockExpiredError` and writes
   * nothing. `withLock` sets it for you.
   */
  lease?: HeldLease | (() => HeldLease);
}

/**
 * The OpenAI Agents SDK's `Session`, stored through a `SessionManager`, so
 * `run(agent, input, { session })` keeps its history on any backend, per user.
 *
 * Each item is one message, kept exactly (deep-equal, byte arrays included) with readable
 * `role`, `content`, `toolCalls` and `toolCallId` columns. `addItems` is one atomic append;
 * `popItem` appends a tombstone, so concurrent pops never return the same item. The session
 * is created on the first write (or `getSessionId()`), not by reading.
 *
 * @example
 * const sessions = new SessionManager({ engine: await createEngine('sqlite:./sessions.db') })
 * await sessions.engine.setup()
 * const session = new SessionsAgentSession({ sessions, userId: 'alice' })
 * await run(agent, 'Hi', { session })
 */
export class SessionsAgentSession implements Session {
  readonly sessions: SessionManager;
  /** The `{ userId, sessionId }` the history is stored under. */
  readonly key: SessionKey;
  readonly #newSession: NewSessionDefaults;
  readonly #lease: (() => HeldLease) | undefined;
  #created: Promise<void> | undefined;
  readonly #read = (query: MessagesQuery) => this.sessions.messages(this.key, query);

  constructor(options: SessionsAgentSessionOptions) {
    if (!isPlainObject(options)) throw new ValidationError(`expected { sessions, userId, sessionId? }, got ${describeType(options)}`, { path: 'options' });
    const sessions = options.sessions as Partial<SessionManager> | undefined;
    if (!sessions || typeof sessions.append !== 'function' || typeof sessions.messages !== 'function' || typeof sessions.getOrCreate !== 'function') {
      throw new ValidationError('needs a SessionManager from @sessions/core: new SessionsAgentSession({ sessions, userId })', { path: 'options.sessions' });
    }
    assertId(options.userId, 'options.userId');
    const sessionId = options.sessionId ?? newSessionId();
    assertId(sessionId, 'options.sessionId');
    if (options.newSession !== undefined && !isPlainObject(options.newSession)) {
      throw new ValidationError(`expected { title?, metadata?, state?, ttlMs? }, got ${describeType(options.newSession)}`, { path: 'options.newSession' });
    }
    const lease = options.lease;
    if (lease !== undefined && typeof lease !== 'function' && !isPlainObject(lease)) {
      throw new ValidationError(`expected a lease from SessionManager.acquire or a function returning one, got ${describeType(lease)}`, { path: 'options.lease' });
    }
    this.sessions = options.sessions;
    this.key = Object.freeze({ userId: options.userId, sessionId });
    this.#newSession = Object.freeze({ ...options.newSession });
    this.#lease = lease === undefined ? undefined : typeof lease === 'function' ? lease : () => lease;
  }

  /**
   * Runs `fn` holding the session's lease (`SessionManager.run`): it gets a session whose
   * writes are fenced by that lease and the run context, whose `signal` aborts if the lease
   * is lost. Whole agent turns on one session then never interleave, across processes.
   * Waits up to `waitMs` for a busy session, else fails with `LockHeldError`.
   *
   * @example
   * await SessionsAgentSession.withLock({ sessions, userId: 'alice', sessionId }, (session, { signal }) =>
   *   run(agent, 'Hi', { session, signal }), { waitMs: 30_000 })
   */
  static async withLock<T>(
    options: SessionsAgentSessionOptions,
    fn: (session: SessionsAgentSession, context: RunContext) => Promise<T> | T,
    runOptions: Omit<RunOptions, 'history'> = {},
  ): Promise<T> {
    if (typeof fn !== 'function') throw new ValidationError('withLock needs a callback', { path: 'fn' });
    const unlocked = new SessionsAgentSession({ ...options, lease: undefined });
    await unlocked.getSessionId();
    return unlocked.sessions.run(
      unlocked.key,
      (context) => fn(new SessionsAgentSession({ ...options, sessionId: unlocked.key.sessionId, lease: () => context.lease }), context),
      { ...runOptions, history: false },
    );
  }

  /** The session id, creating the session if it does not exist yet. */
  async getSessionId(): Promise<string> {
    await this.#ensureCreated();
    return this.key.sessionId;
  }

  /** The newest `limit` items (all when undefined) in chronological order. */
  async getItems(limit?: number): Promise<AgentInputItem[]> {
    if (limit !== undefined && (typeof limit !== 'number' || !Number.isSafeInteger(limit))) {
      throw new ValidationError(`limit must be a whole number, got ${typeof limit === 'number' ? limit : describeType(limit)}`, { path: 'limit' });
    }
    if (limit !== undefined && limit <= 0) return [];
    if (!(await this.#hasMessages())) return [];
    return liveItems(this.#read, limit);
  }

  /** Appends the items in order, all or nothing, in one atomic write. */
  async addItems(items: AgentInputItem[]): Promise<void> {
    if (!Array.isArray(items)) throw new ValidationError(`expected an array of items, got ${describeType(items)}`, { path: 'items' });
    if (items.length === 0) return;
    const messages = items.map((item, i) => encodeItem(item, `items[${i}]`));
    await this.#write(() => this.sessions.append(this.key, messages, this.#fence()));
  }

  /**
   * Removes and returns the newest item, or undefined when there is none. Two concurrent
   * pops never return the same item: each appends a tombstone, and the store orders them.
   */
  async popItem(): Promise<AgentInputItem | undefined> {
    // Popping an empty history writes nothing, and never creates the session.
    if (!(await this.#hasMessages())) return undefined;
    const top = await topItem(this.#read);
    if (!top) return undefined;
    let tombstone: Message;
    try {
      [tombstone] = (await this.sessions.append(this.key, popMessage({ deadFrom: top.seq, prevId: top.newest.id }), this.#fence())) as [Message];
    } catch (error) {
      // Deleted since the read: a session that does not exist has nothing to pop.
      if (isSessionNotFound(error)) return undefined;
      throw error;
    }
    // Usually the item seen on top; a concurrent write may have changed which one it was.
    return itemPoppedBy(this.#read, tombstone.seq);
  }

  /** Deletes every message of the session; the session itself (and its id) stays. */
  async clearSession(): Promise<void> {
    try {
      await this.sessions.clear(this.key, this.#fence());
    } catch (error) {
      // A session that does not exist has nothing to clear.
      if (!isSessionNotFound(error)) throw error;
    }
  }

  /**
   * Whether there is a live (existing, unexpired) session with messages. An expired session
   * reads as empty, as it will be once its first write replaces it (`getOrCreate`), so an
   * agent never sees history that its own turn is about to drop.
   */
  async #hasMessages(): Promise<boolean> {
    const session = await this.sessions.get(this.key);
    return session !== null && session.messageCount > 0;
  }

  #fence(): { lease?: HeldLease } {
    return this.#lease ? { lease: this.#lease() } : {};
  }

  #ensureCreated(): Promise<void> {
    this.#created ??= this.sessions.getOrCreate({ ...this.#newSession, ...this.key }).then(
      () => undefined,
      (error: unknown) => {
        this.#created = undefined;
        throw error;
      },
    );
    return this.#created;
  }

  async #write<T>(write: () => Promise<T>): Promise<T> {
    await this.#ensureCreated();
    try {
      return await write();
    } catch (error) {
      if (!isSessionNotFound(error)) throw error;
      // Deleted or expired since this object made sure of it: start it afresh, as a new object would.
      this.#created = undefined;
      await this.#ensureCreated();
      return write();
    }
  }
}

// By code, not class: an application may end up with two copies of @sessions/core.
function isSessionNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SESSION_NOT_FOUND';
}
