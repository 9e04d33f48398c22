import type { AgentInputItem, Session } from '@openai/agents-core';
import {
  newSessionId,
  ValidationError,
  type HeldLease,
  type JsonObject,
  type MessagesQuery,
  type RunContext,
  type RunOptions,
  type SessionKey,
  type SessionManager,
} from '@sessions/core';
import { assertCount, assertId, describeType, isPlainObject } from '@sessions/core/engine';
import { liveItems, topItem } from './history.js';
import { encodeItem } from './item-codec.js';
import { queued } from './write-queue.js';

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
  /**
   * Without `lease`, each write takes the session's lease for its own length, so pops and adds
   * never race; this is how long it waits for a busy session (another write, a `withLock`
   * turn) before failing with `LockHeldError`. Default: the manager's `lockTtlMs`, so a lease
   * left by a process that died lapses first.
   */
  waitMs?: number;
}

/**
 * The OpenAI Agents SDK's `Session`, stored through a `SessionManager`, so
 * `run(agent, input, { session })` keeps its history on any backend, per user.
 *
 * Each item is one message, kept exactly (deep-equal, byte arrays included) with readable
 * `role`, `content`, `toolCalls` and `toolCallId` columns. `addItems` is one atomic append;
 * `popItem` deletes the newest item with one atomic truncate. Every write is made under the
 * session's lease (the one given, or one taken for the write), so concurrent pops and adds
 * never lose or duplicate an item. The session is created on the first write (or
 * `getSessionId()`), not by reading.
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
  readonly #waitMs: number | undefined;
  #created: Promise<void> | undefined;
  readonly #read = (query: MessagesQuery) => this.sessions.messages(this.key, query);

  constructor(options: SessionsAgentSessionOptions) {
    if (!isPlainObject(options)) throw new ValidationError(`expected { sessions, userId, sessionId? }, got ${describeType(options)}`, { path: 'options' });
    const sessions = options.sessions as Partial<SessionManager> | undefined;
    if (!sessions || MANAGER_METHODS.some((method) => typeof sessions[method] !== 'function')) {
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
      throw new ValidationError(`expected a lease from SessionManager.acquire or a function returning one, got ${describeType(lease)}`, {
        path: 'options.lease',
      });
    }
    if (options.waitMs !== undefined) assertCount(options.waitMs, 'options.waitMs');
    this.sessions = options.sessions;
    this.key = Object.freeze({ userId: options.userId, sessionId });
    this.#waitMs = options.waitMs;
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
    await this.#write(() => this.#exclusive((fence) => this.sessions.append(this.key, messages, fence)));
  }

  /**
   * Removes and returns the newest item, or undefined when there is none: under the session's
   * lease, reads the newest live item and deletes it (with anything after it that is no item:
   * tombstones of earlier versions and what they cancelled, messages other tools wrote that
   * are not read as items) in one atomic truncate. Writes no tombstone.
   */
  async popItem(): Promise<AgentInputItem | undefined> {
    // Popping an empty history writes nothing, and never creates the session.
    if (!(await this.#hasMessages())) return undefined;
    try {
      return await this.#exclusive(async (fence) => {
        const top = await topItem(this.#read);
        if (!top) return undefined;
        // Seq values are never reused, so "after the one before it" is "after top.seq - 1".
        await this.sessions.truncate(this.key, { afterSeq: top.seq - 1 }, fence);
        return top.item;
      });
    } catch (error) {
      // Deleted or expired since the read: a session that does not exist has nothing to pop.
      if (isSessionNotFound(error)) return undefined;
      throw error;
    }
  }

  /** Deletes every message of the session; the session itself (and its id) stays. */
  async clearSession(): Promise<void> {
    // Nothing to clear, and no lease to take, for a session that does not exist.
    if (!this.#lease && !(await this.sessions.get(this.key))) return;
    try {
      await this.#exclusive((fence) => this.sessions.clear(this.key, fence));
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

  /**
   * Runs one write under the session's lease: the caller's (fencing the write; this process's
   * writes under it go one at a time), or one taken for this write alone and released after.
   * Every writer holding the lease is what makes a pop's read and truncate one step: no add
   * can land between them and be deleted with the popped item.
   */
  async #exclusive<T>(write: (fence: { lease: HeldLease }) => Promise<T>): Promise<T> {
    const given = this.#lease;
    if (given) return queued(`${this.key.userId}\u0000${this.key.sessionId}`, () => write({ lease: given() }));
    const lease = await this.sessions.acquire(this.key, { waitMs: this.#waitMs ?? this.sessions.lockTtlMs });
    try {
      return await write({ lease });
    } finally {
      // A failed release is harmless: the lease lapses at its TTL.
      await this.sessions.release(lease).catch(() => undefined);
    }
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

// By code and shape, not class: an application may end up with two copies of @sessions/core.
const MANAGER_METHODS = ['append', 'messages', 'getOrCreate', 'get', 'truncate', 'clear', 'acquire', 'release', 'run'] as const;

function isSessionNotFound(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'SESSION_NOT_FOUND';
}
