import { BaseEngine, type ResolvedQuery } from '../engine/base-engine.js';
import type {
  ClearMessagesOptions,
  FencedWriteOptions,
  MessageRange,
  NewMessage,
  SessionChanges,
  SessionWriteOptions,
  TruncateMessagesOptions,
  UpdateSessionOptions,
} from '../engine/engine.js';
import type { AcquireLeaseInput, Lease, LeaseGrant, LeaseInfo, LeaseRef, ListLeasesQuery } from '../engine/lease.js';
import {
  ConcurrentUpdateError,
  LockExpiredError,
  MessageExistsError,
  SessionExistsError,
  SessionNotFoundError,
  type SessionKey,
} from '../errors.js';
import { compareCodePoints } from '../filter/compare.js';
import { compareByOrder, matchesFilter } from '../filter/evaluate.js';
import type { ResolvedFilter } from '../filter/resolved.js';
import { cloneJson, type JsonObject, type JsonValue } from '../json.js';
import type { Message } from '../models/message-model.js';
import type { ModelDefinition } from '../models/model.js';
import { isExpiredAt } from '../models/expiry.js';
import type { Session } from '../models/session-model.js';

/** Options of `new MemoryEngine(...)`. */
export interface MemoryEngineOptions {
  /** The store's clock for leases, in epoch milliseconds. Defaults to `Date.now`. */
  clock?: () => number;
  /**
   * A store shared with other engines in this process (from `createMemoryStore()`), as several
   * app servers share one database. An engine never clears a store it was given.
   */
  store?: MemoryStore;
}

interface StoredLease {
  owner: string;
  token: number;
  /** Epoch ms, or null once released. */
  expiresAt: number | null;
}

interface StoredSession {
  session: Session;
  /** Ascending by seq. */
  messages: Message[];
  messageIds: Set<string>;
}

/** The state of a `MemoryEngine`. Exposed to subclasses so tests can build deliberately broken variants. */
export interface MemoryStore {
  readonly sessions: Map<string, StoredSession>;
  readonly leases: Map<string, StoredLease>;
  /** What `setup()` recorded: null until an engine on this store has been set up. */
  schemaVersion: number | null;
}

/** The version `MemoryEngine.setup()` records; it has one schema, so far. */
export const MEMORY_SCHEMA_VERSION = 1;

/** An empty store that several `MemoryEngine`s can share. */
export function createMemoryStore(): MemoryStore {
  return { sessions: new Map(), leases: new Map(), schemaVersion: null };
}

/**
 * The reference engine: every other engine must behave exactly like this one. Everything
 * lives in one process's memory; objects are deep-copied in and out, so a caller that
 * mutates a returned session changes nothing stored. Each operation runs without an
 * `await` between its reads and writes, which makes it atomic in a single-threaded runtime.
 *
 * @example
 * const manager = new SessionManager({ engine: new MemoryEngine() })
 * await manager.engine.setup()
 */
export class MemoryEngine extends BaseEngine {
  protected readonly store: MemoryStore;
  readonly #ownsStore: boolean;
  readonly #clock: () => number;

  constructor(options: MemoryEngineOptions = {}) {
    super('memory', { persistent: false, crossProcess: false, nativeTtl: false });
    this.store = options.store ?? createMemoryStore();
    this.#ownsStore = options.store === undefined;
    this.#clock = options.clock ?? Date.now;
  }

  /** The store this engine works on; pass it to another engine to share it. */
  get sharedStore(): MemoryStore {
    return this.store;
  }

  protected async doSetup(): Promise<void> {
    this.store.schemaVersion = MEMORY_SCHEMA_VERSION;
  }

  protected async doStoredSchemaVersion(): Promise<number | null> {
    return this.store.schemaVersion;
  }

  protected async doClose(): Promise<void> {
    if (!this.#ownsStore) return;
    this.store.sessions.clear();
    this.store.leases.clear();
  }

  protected async doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    const rows = this.#rows(model).filter((row) => matchesFilter(query.where, row));
    rows.sort(compareByOrder(query.orderBy));
    const start = query.offset ?? 0;
    const end = query.limit === undefined ? undefined : start + query.limit;
    return rows.slice(start, end).map((row) => (model.name === 'sessions' ? copySession(row as unknown as Session) : copyMessage(row as unknown as Message)));
  }

  protected async doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    return this.#rows(model).filter((row) => matchesFilter(where, row)).length;
  }

  protected async doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    let count = 0;
    for (const row of this.#rows(model)) {
      if (!matchesFilter(where, row)) continue;
      Object.assign(row, copyFields(set));
      if (model.name === 'sessions') (row as unknown as Session).version += 1;
      count++;
    }
    return count;
  }

  protected async doDeleteSessions(where: ResolvedFilter): Promise<number> {
    let count = 0;
    for (const [id, stored] of this.store.sessions) {
      if (!matchesFilter(where, stored.session)) continue;
      this.store.sessions.delete(id);
      count++;
    }
    return count;
  }

  protected override async doInsertSessions(records: readonly Session[]): Promise<number> {
    // Checked and written without an await in between: all or nothing.
    for (const record of records) if (this.store.sessions.has(storeKey(record))) throw new SessionExistsError(record);
    for (const record of records) this.store.sessions.set(storeKey(record), { session: copySession(record), messages: [], messageIds: new Set() });
    return records.length;
  }

  protected async doGetSession(key: SessionKey): Promise<Session | null> {
    const stored = this.store.sessions.get(storeKey(key));
    return stored ? copySession(stored.session) : null;
  }

  protected async doCreateSession(session: Session, messages: readonly Message[]): Promise<Session> {
    const id = storeKey(session);
    if (this.store.sessions.has(id)) throw new SessionExistsError(session);
    const stored: StoredSession = {
      session: copySession(session),
      messages: messages.map(copyMessage),
      messageIds: new Set(messages.map((message) => message.id)),
    };
    this.store.sessions.set(id, stored);
    return copySession(stored.session);
  }

  protected async doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    this.#checkFence(key, options.lease);
    const stored = this.#live(key, options.liveAt);
    if (options.expectedVersion !== undefined && stored.session.version !== options.expectedVersion) throw new ConcurrentUpdateError(key);
    Object.assign(stored.session, copyFields(changes as unknown as Record<string, unknown>));
    stored.session.version += 1;
    return copySession(stored.session);
  }

  protected async doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    this.#checkFence(key, options.lease);
    const stored = this.#live(key, options.liveAt);
    for (const message of messages) {
      if (stored.messageIds.has(message.id)) throw new MessageExistsError(key, message.id);
    }
    const session = stored.session;
    const appended = messages.map((message, i) => copyMessage({ ...message, seq: session.lastSeq + i + 1 }));
    let updatedAt = session.updatedAt.getTime();
    for (const message of appended) updatedAt = Math.max(updatedAt, message.createdAt.getTime());
    // Everything that can fail is done: from here on the append is applied whole.
    for (const message of appended) {
      stored.messages.push(message);
      stored.messageIds.add(message.id);
    }
    session.lastSeq += appended.length;
    session.messageCount += appended.length;
    session.updatedAt = new Date(updatedAt);
    return appended.map(copyMessage);
  }

  protected async doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]> {
    const stored = this.store.sessions.get(storeKey(key));
    if (!stored || isExpiredAt(stored.session, range.liveAt)) return [];
    const after = range.afterSeq ?? 0;
    const before = range.beforeSeq ?? Number.POSITIVE_INFINITY;
    const start = firstIndexAbove(stored.messages, after);
    let end = firstIndexAbove(stored.messages, before - 1);
    let from = start;
    if (range.last !== undefined) from = Math.max(start, end - range.last);
    else if (range.limit !== undefined) end = Math.min(end, start + range.limit);
    return stored.messages.slice(from, end).map(copyMessage);
  }

  protected async doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    this.#checkFence(key, options.lease);
    const stored = this.#live(key, options.liveAt);
    const count = stored.messages.length;
    stored.messages = [];
    stored.messageIds.clear();
    stored.session.messageCount = 0;
    stored.session.updatedAt = new Date(options.updatedAt.getTime());
    return count;
  }

  protected async doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    this.#checkFence(key, options.lease);
    const stored = this.#live(key, options.liveAt);
    const kept = firstIndexAbove(stored.messages, options.afterSeq);
    const removed = stored.messages.splice(kept);
    for (const message of removed) stored.messageIds.delete(message.id);
    stored.session.messageCount -= removed.length;
    stored.session.updatedAt = new Date(options.updatedAt.getTime());
    return removed.length;
  }

  protected async doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    this.#checkFence(key, options.lease);
    return this.store.sessions.delete(storeKey(key));
  }

  protected async doDeleteExpired(now: Date): Promise<number> {
    let count = 0;
    for (const [id, stored] of this.store.sessions) {
      if (isExpiredAt(stored.session, now)) {
        this.store.sessions.delete(id);
        count++;
      }
    }
    return count;
  }

  protected async doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    const id = storeKey(key);
    const now = this.#clock();
    const current = this.store.leases.get(id);
    if (current && current.expiresAt !== null && current.expiresAt > now) {
      return { acquired: false, holder: current.owner, expiresAt: new Date(current.expiresAt) };
    }
    const granted: StoredLease = { owner: input.owner, token: (current?.token ?? 0) + 1, expiresAt: now + input.ttlMs };
    this.store.leases.set(id, granted);
    return { acquired: true, lease: toLease(key, granted) };
  }

  protected async doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const current = this.#heldLease(lease, lease);
    if (!current) return null;
    current.expiresAt = this.#clock() + ttlMs;
    return toLease(lease, current);
  }

  protected async doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    const current = this.store.leases.get(storeKey(key));
    if (!current || current.owner !== lease.owner || current.token !== lease.token || current.expiresAt === null) return false;
    const wasHeld = current.expiresAt > this.#clock();
    current.expiresAt = null;
    return wasHeld;
  }

  protected async doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    const now = this.#clock();
    const rows: LeaseInfo[] = [];
    for (const [id, stored] of this.store.leases) {
      const [userId, sessionId] = id.split('\u0000') as [string, string];
      const held = stored.expiresAt !== null && stored.expiresAt > now;
      if (query.userId !== undefined && userId !== query.userId) continue;
      if (query.held !== undefined && held !== query.held) continue;
      if (query.after && compareKeys({ userId, sessionId }, query.after) <= 0) continue;
      rows.push({ userId, sessionId, owner: stored.owner, token: stored.token, expiresAt: stored.expiresAt === null ? null : new Date(stored.expiresAt), held });
    }
    return rows.sort(compareKeys).slice(0, query.limit);
  }

  #heldLease(key: SessionKey, lease: LeaseRef): StoredLease | null {
    const current = this.store.leases.get(storeKey(key));
    if (!current || current.owner !== lease.owner || current.token !== lease.token) return null;
    if (current.expiresAt === null || current.expiresAt <= this.#clock()) return null;
    return current;
  }

  #checkFence(key: SessionKey, lease: LeaseRef | undefined): void {
    if (lease && !this.#heldLease(key, lease)) throw new LockExpiredError(key);
  }

  /** The stored session, unless it is missing or (when `liveAt` is given) expired by then. */
  #live(key: SessionKey, liveAt: Date | undefined): StoredSession {
    const stored = this.store.sessions.get(storeKey(key));
    if (!stored || isExpiredAt(stored.session, liveAt)) throw new SessionNotFoundError(key);
    return stored;
  }

  #rows(model: ModelDefinition): Record<string, unknown>[] {
    const all = [...this.store.sessions.values()];
    const rows = model.name === 'sessions' ? all.map((stored) => stored.session) : all.flatMap((stored) => stored.messages);
    return rows as unknown as Record<string, unknown>[];
  }
}

/** NUL cannot occur in ids, so it separates the two parts unambiguously. */
export function storeKey(key: SessionKey): string {
  return `${key.userId}\u0000${key.sessionId}`;
}

function compareKeys(a: SessionKey, b: SessionKey): number {
  return compareCodePoints(a.userId, b.userId) || compareCodePoints(a.sessionId, b.sessionId);
}

function toLease(key: SessionKey, stored: StoredLease): Lease {
  return { userId: key.userId, sessionId: key.sessionId, owner: stored.owner, token: stored.token, expiresAt: new Date(stored.expiresAt!) };
}

function firstIndexAbove(messages: readonly Message[], seq: number): number {
  let low = 0;
  let high = messages.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (messages[middle]!.seq <= seq) low = middle + 1;
    else high = middle;
  }
  return low;
}

function copyFields(fields: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    copy[field] = value instanceof Date ? new Date(value.getTime()) : cloneJson(value as JsonValue);
  }
  return copy;
}

export function copySession(session: Session): Session {
  return {
    userId: session.userId,
    sessionId: session.sessionId,
    title: session.title,
    metadata: cloneJson(session.metadata),
    state: cloneJson(session.state),
    status: session.status,
    createdAt: new Date(session.createdAt.getTime()),
    updatedAt: new Date(session.updatedAt.getTime()),
    expiresAt: session.expiresAt && new Date(session.expiresAt.getTime()),
    parentSessionId: session.parentSessionId,
    parentSeq: session.parentSeq,
    messageCount: session.messageCount,
    lastSeq: session.lastSeq,
    version: session.version,
  };
}

export function copyMessage(message: Message): Message {
  return {
    userId: message.userId,
    sessionId: message.sessionId,
    seq: message.seq,
    id: message.id,
    role: message.role,
    content: cloneJson(message.content),
    name: message.name,
    toolCalls: message.toolCalls && cloneJson(message.toolCalls),
    toolCallId: message.toolCallId,
    agentId: message.agentId,
    runId: message.runId,
    metadata: cloneJson(message.metadata as JsonObject),
    createdAt: new Date(message.createdAt.getTime()),
  };
}
