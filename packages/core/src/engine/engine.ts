import type { SessionKey } from '../errors.js';
import type { Filter, OrderBy } from '../filter/types.js';
import type { JsonObject } from '../json.js';
import type { Message } from '../models/message-model.js';
import type { ModelName, ModelRecords } from '../models/records.js';
import type { Session, SessionStatus } from '../models/session-model.js';
import type { EngineCapabilities } from './capabilities.js';
import type { AcquireLeaseInput, Lease, LeaseGrant, LeaseInfo, LeaseRef, ListLeasesQuery } from './lease.js';

export interface FindManyQuery {
  where?: Filter;
  orderBy?: OrderBy;
  limit?: number;
  offset?: number;
}

export interface FindOneQuery {
  where?: Filter;
  orderBy?: OrderBy;
}

export interface UpdateQuery<M extends ModelName> {
  where: Filter;
  set: Partial<ModelRecords[M]>;
}

/** A message about to be appended: everything but `seq`, which the store assigns. */
export type NewMessage = Omit<Message, 'seq'>;

/** Fields `updateSession` may change. `updatedAt` is always set. */
export interface SessionChanges {
  title?: string | null;
  metadata?: JsonObject;
  state?: JsonObject;
  status?: SessionStatus;
  expiresAt?: Date | null;
  updatedAt: Date;
}

export interface FencedWriteOptions {
  /** The lease the write is made under; checked atomically with the write. */
  lease?: LeaseRef;
}

/** Options of a write to a session that must still be live, not only present. */
export interface SessionWriteOptions extends FencedWriteOptions {
  /**
   * Refuse the write with `SessionNotFoundError` if the session's `expiresAt` is at or before
   * this time, checked atomically with the write: an expired session is gone to its users even
   * before `deleteExpired` removes it, so nothing may be added to it. Session TTLs are on the
   * manager's clock, so this time comes from the caller; without it expiry is not checked.
   */
  liveAt?: Date;
}

export interface UpdateSessionOptions extends SessionWriteOptions {
  /** Write only if the session's `version` is still this (optimistic concurrency). */
  expectedVersion?: number;
}

export interface ClearMessagesOptions extends SessionWriteOptions {
  updatedAt: Date;
}

export interface TruncateMessagesOptions extends SessionWriteOptions {
  /** Keep the messages with `seq <= afterSeq`; delete the rest. */
  afterSeq: number;
  updatedAt: Date;
}

/** Messages with `afterSeq < seq < beforeSeq`, ascending; `last` takes the newest N of them, `limit` the oldest N. */
export interface MessageRange {
  afterSeq?: number;
  beforeSeq?: number;
  last?: number;
  limit?: number;
  /**
   * Read nothing if the session's `expiresAt` is at or before this time, judged in the same
   * statement or script as the read: an expired session is gone to its users even before
   * `deleteExpired` removes it. Without it, expiry is not checked (tools that copy or clean up
   * a store read expired sessions too). The conformance suite checks the answer; that check and
   * read are one step is each adapter's duty, and its own tests show it (statements counted).
   */
  liveAt?: Date;
}

/**
 * The contract every storage adapter keeps. Extend `BaseEngine` rather than implementing
 * this directly: it adds the lifecycle guards, validation and error wrapping.
 *
 * Session keys are `{ userId, sessionId }` together; no operation on one key ever reads or
 * changes another user's data.
 */
export interface Engine extends AsyncDisposable {
  /** Short name used in errors, e.g. `sqlite`. */
  readonly name: string;
  readonly capabilities: EngineCapabilities;

  /** Creates or migrates the schema and records its version. Idempotent; retryable after a failure. */
  setup(options?: { signal?: AbortSignal }): Promise<void>;
  /** Releases connections the engine opened. Safe to call twice; an injected client is left open. */
  close(): Promise<void>;
  /**
   * The schema version `setup()` recorded in the store, or null where it never ran. Works before
   * `setup()` and creates or changes nothing (no schema, table, key, folder or file), so tools can
   * refuse a mistyped database, schema, prefix or path instead of setting up a new store there.
   * Fails with `StorageError` when the store cannot be reached.
   */
  storedSchemaVersion(options?: { signal?: AbortSignal }): Promise<number | null>;

  findOne<M extends ModelName>(model: M, query?: FindOneQuery): Promise<ModelRecords[M] | null>;
  findMany<M extends ModelName>(model: M, query?: FindManyQuery): Promise<ModelRecords[M][]>;
  count(model: ModelName, query?: { where?: Filter }): Promise<number>;
  /** Inserts new sessions (with no messages). Messages are only written through `appendMessages`. */
  insert(model: 'sessions', records: readonly Session[]): Promise<number>;
  /** Sets fields on every matching record; returns how many matched. */
  update<M extends ModelName>(model: M, query: UpdateQuery<M>): Promise<number>;
  /** Deletes every matching session with its messages; returns how many sessions went. */
  delete(model: 'sessions', query: { where: Filter }): Promise<number>;

  getSession(key: SessionKey): Promise<Session | null>;
  /** Creates a session with its initial messages, all or nothing. */
  createSession(session: Session, messages?: readonly Message[]): Promise<Session>;
  updateSession(key: SessionKey, changes: SessionChanges, options?: UpdateSessionOptions): Promise<Session>;
  /** Appends messages atomically, assigning seq lastSeq+1, lastSeq+2 ...; returns them as stored. */
  appendMessages(key: SessionKey, messages: readonly NewMessage[], options?: SessionWriteOptions): Promise<Message[]>;
  readMessages(key: SessionKey, range?: MessageRange): Promise<Message[]>;
  /** Deletes the session's messages and keeps the session (and its lastSeq); returns how many went. */
  clearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number>;
  /**
   * Deletes the messages after `afterSeq` in one atomic step and keeps the rest, the session and
   * its `lastSeq` (seq values are never reused); returns how many went.
   */
  truncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number>;
  deleteSession(key: SessionKey, options?: FencedWriteOptions): Promise<boolean>;
  /** Deletes sessions whose `expiresAt` is at or before `now`, with their messages. */
  deleteExpired(now: Date): Promise<number>;

  acquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant>;
  /** Extends the caller's own lease; null when it was lost (expired, released or taken over). */
  renewLease(lease: Lease, input: { ttlMs: number }): Promise<Lease | null>;
  /** Ends the caller's own lease, keeping its token; false when it was no longer held. */
  releaseLease(lease: LeaseRef & SessionKey): Promise<boolean>;
  /**
   * Lease rows in `(userId, sessionId)` order, with `held` judged by the store's clock: for
   * operators looking for stale leases (expired, never released: a holder that died).
   */
  listLeases(query?: ListLeasesQuery): Promise<LeaseInfo[]>;
}
