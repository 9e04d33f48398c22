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
import { ConcurrentUpdateError, LockExpiredError, MessageExistsError, SessionExistsError, SessionNotFoundError, type SessionKey } from '../errors.js';
import { matchesFilter } from '../filter/evaluate.js';
import { countRows, queryRows } from '../filter/query-rows.js';
import type { ResolvedFilter } from '../filter/resolved.js';
import type { Message } from '../models/message-model.js';
import type { ModelDefinition } from '../models/model.js';
import { isExpiredAt } from '../models/expiry.js';
import type { Session } from '../models/session-model.js';
import { copyFields, copyMessage, copySession } from './copy-records.js';
import { MemoryLeases } from './memory-leases.js';
import { firstIndexAbove, messagesInRange } from './message-range.js';
import { createMemoryStore, MEMORY_SCHEMA_VERSION, storeKey, type MemoryStore, type StoredSession } from './memory-store.js';

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
  readonly #leases: MemoryLeases;

  constructor(options: MemoryEngineOptions = {}) {
    super('memory', { persistent: false, crossProcess: false, nativeTtl: false });
    this.store = options.store ?? createMemoryStore();
    this.#ownsStore = options.store === undefined;
    this.#leases = new MemoryLeases(this.store, options.clock ?? Date.now);
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
    if (model.name === 'sessions') return queryRows(this.#sessions(), query).map(copySession);
    return queryRows(this.#messages(), query).map(copyMessage);
  }

  protected async doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    return countRows(model.name === 'sessions' ? this.#sessions() : this.#messages(), where);
  }

  protected async doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    let count = 0;
    for (const row of (model.name === 'sessions' ? this.#sessions() : this.#messages()) as unknown as Record<string, unknown>[]) {
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
    return messagesInRange(stored.messages, range).map(copyMessage);
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
    return this.#leases.acquire(key, input);
  }

  protected async doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    return this.#leases.renew(lease, ttlMs);
  }

  protected async doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    return this.#leases.release(key, lease);
  }

  protected async doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    return this.#leases.list(query);
  }

  #checkFence(key: SessionKey, lease: LeaseRef | undefined): void {
    if (lease && !this.#leases.isHeld(key, lease)) throw new LockExpiredError(key);
  }

  /** The stored session, unless it is missing or (when `liveAt` is given) expired by then. */
  #live(key: SessionKey, liveAt: Date | undefined): StoredSession {
    const stored = this.store.sessions.get(storeKey(key));
    if (!stored || isExpiredAt(stored.session, liveAt)) throw new SessionNotFoundError(key);
    return stored;
  }

  #sessions(): Session[] {
    return [...this.store.sessions.values()].map((stored) => stored.session);
  }

  #messages(): Message[] {
    return [...this.store.sessions.values()].flatMap((stored) => stored.messages);
  }
}
