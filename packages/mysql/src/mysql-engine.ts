import { type Lease, type LeaseRef, type Message, type Session, type SessionKey, type StorageErrorKind } from '@sessions/core';
import {
  BaseEngine,
  SocketTracker,
  withDeadline,
  type AcquireLeaseInput,
  type ClearMessagesOptions,
  type FencedWriteOptions,
  type LeaseGrant,
  type LeaseInfo,
  type ListLeasesQuery,
  type MessageRange,
  type ModelDefinition,
  type NewMessage,
  type ResolvedFilter,
  type ResolvedQuery,
  type SessionChanges,
  type SessionWriteOptions,
  type TruncateMessagesOptions,
  type UpdateSessionOptions,
} from '@sessions/core/engine';
import { appendMessages } from './append-messages.js';
import { BoundedPool } from './bounded-pool.js';
import { ensureAppendRoutine } from './append-routine.js';
import { detectServer, type Dialect } from './dialect.js';
import { acquireLease, releaseLease, renewLease } from './leases.js';
import { listLeases } from './list-leases.js';
import { migrate, storedSchemaVersion } from './migrations.js';
import { count, deleteSessionsWhere, findMany, updateWhere } from './model-queries.js';
import { resolveOptions, type MysqlEngineOptions, type ResolvedOptions } from './options.js';
import { createPool } from './pool.js';
import { readMessages } from './read-messages.js';
import { describeServer } from './server-address.js';
import { clearMessages, createSession, deleteExpired, deleteSession, getSession, truncateMessages, updateSession } from './session-writes.js';
import { createStore, type Store } from './store.js';
import { tableNames, type Tables } from './tables.js';
import { isFatal, storageErrorKind } from './server-errors.js';
import { withConnection } from './transaction.js';

/** After the pool has ended, how long close() lets the server acknowledge the goodbye before destroying the sockets. */
const GOODBYE_MS = 1_000;

/**
 * Sessions in MySQL 8 or MariaDB 10.5+, through a mysql2 pool. Safe for many app servers on one
 * database: leases live in a table on the server's clock, every fenced write checks its lease (and,
 * given `liveAt`, the session's expiry) in the same statement, and appends and truncations take
 * the session's row lock.
 *
 * @example
 * import { SessionManager } from '@sessions/core'
 * import { MysqlEngine } from '@sessions/mysql'
 *
 * await using engine = new MysqlEngine({ uri: 'mysql://app@127.0.0.1:3306/app' })
 * await engine.setup() // creates or migrates the tables
 * const sessions = new SessionManager({ engine })
 */
export class MysqlEngine extends BaseEngine {
  /** Prefix of this engine's table names. */
  readonly tablePrefix: string;
  /** Quoted and plain names of this engine's tables. */
  readonly tables: Tables;
  readonly #options: ResolvedOptions;
  /** The sockets of the pool the engine creates, destroyed by close() if a silent server keeps them. */
  readonly #sockets = new SocketTracker();
  /** The pool with every wait bounded, around the injected pool or the one made from `uri`. */
  #pool: Promise<BoundedPool> | undefined;
  #store: Store | undefined;

  constructor(options: MysqlEngineOptions) {
    super('mysql', { persistent: true, crossProcess: true, nativeTtl: false });
    this.#options = resolveOptions(options);
    this.tablePrefix = this.#options.tablePrefix;
    this.tables = tableNames(this.tablePrefix);
  }

  /** The server's flavour and version, known once `setup()` has run. */
  get server(): Dialect | undefined {
    return this.#store?.dialect;
  }

  /** Whether appends of up to four messages take one round trip (the append routine is in place). */
  get appendsInOneRoundTrip(): boolean {
    return this.#store?.appendRoutine.available ?? false;
  }

  get #ready(): Store {
    if (!this.#store) throw new Error('the engine has no store: setup() did not complete');
    return this.#store;
  }

  /**
   * The injected pool, or the one made from `uri` on first use. Memoised as a promise because
   * setup() and storedSchemaVersion() may both ask first, concurrently, and must share one pool;
   * forgotten when creating it fails, so the next call tries again.
   */
  #connect(): Promise<BoundedPool> {
    if (this.#pool) return this.#pool;
    const options = this.#options;
    const limits = { queryTimeoutMs: options.queryTimeoutMs, acquireTimeoutMs: options.acquireTimeoutMs, server: describeServer(options) };
    const pending = (options.pool ? Promise.resolve(options.pool) : createPool(options, this.#sockets)).then((pool) => new BoundedPool(pool, limits));
    this.#pool = pending;
    pending.catch(() => {
      if (this.#pool === pending) this.#pool = undefined;
    });
    return pending;
  }

  protected override storageErrorKind(error: unknown): StorageErrorKind | undefined {
    return storageErrorKind(error);
  }

  protected async doSetup(signal: AbortSignal | undefined): Promise<void> {
    const options = this.#options;
    const pool = await this.#connect();
    this.#store = await withConnection(pool, async (connection) => {
      const server = await detectServer(connection);
      const dialect = options.useReturning ? server.dialect : Object.freeze({ ...server.dialect, insertReturning: false });
      const database = server.database;
      await migrate(connection, {
        tables: this.tables,
        dialect,
        database,
        tablePrefix: options.tablePrefix,
        lockTimeoutMs: options.migrationLockTimeoutMs,
        signal,
      });
      const routine = options.appendRoutine && (await ensureAppendRoutine(connection, this.tables, dialect));
      return createStore(pool, this.tables, dialect, routine);
    });
  }

  protected async doStoredSchemaVersion(signal: AbortSignal | undefined): Promise<number | null> {
    const pool = await this.#connect();
    return withConnection(pool, (connection) => {
      // Connecting is the wait here; the reads after it are two quick lookups.
      signal?.throwIfAborted();
      return storedSchemaVersion(connection, this.tables);
    });
  }

  /**
   * Ends the pool the engine created (an injected pool stays open: its calls are bounded all the
   * same). Calls in flight get up to `queryTimeoutMs` to finish, then the server a moment to
   * acknowledge the goodbye; whatever a silent server still holds open is then destroyed, so
   * close() always returns.
   */
  protected async doClose(): Promise<void> {
    const pending = this.#pool;
    this.#pool = undefined;
    this.#store = undefined;
    // A failed creation left nothing to end.
    const pool = await pending?.catch(() => undefined);
    pool?.close();
    if (this.#options.pool !== undefined || pool === undefined) return;
    // Running out of time is expected with a silent server: the sockets are destroyed below.
    const outOfTime = new Error('the server did not acknowledge the end of its connections');
    try {
      await withDeadline(pool.end(), this.#options.queryTimeoutMs, () => outOfTime);
      await withDeadline(this.#sockets.allClosed(), GOODBYE_MS, () => outOfTime);
    } catch (error) {
      // A connection that died or timed out is closed already, which is all end() wanted.
      if (error !== outOfTime && !isFatal(error)) throw error;
    } finally {
      this.#sockets.destroyAll();
    }
  }

  protected doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    return findMany(this.#ready, model, query);
  }

  protected doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    return count(this.#ready, model, where);
  }

  protected doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    return updateWhere(this.#ready, model, where, set);
  }

  protected doDeleteSessions(where: ResolvedFilter): Promise<number> {
    return deleteSessionsWhere(this.#ready, where);
  }

  protected doGetSession(key: SessionKey): Promise<Session | null> {
    return getSession(this.#ready, key);
  }

  protected doCreateSession(session: Session, messages: readonly Message[]): Promise<Session> {
    return createSession(this.#ready, session, messages);
  }

  protected doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    return updateSession(this.#ready, key, changes, options);
  }

  protected doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    return appendMessages(this.#ready, key, messages, options);
  }

  protected doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]> {
    return readMessages(this.#ready, key, range);
  }

  protected doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    return clearMessages(this.#ready, key, options);
  }

  protected doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    return truncateMessages(this.#ready, key, options);
  }

  protected doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    return deleteSession(this.#ready, key, options);
  }

  protected doDeleteExpired(now: Date): Promise<number> {
    return deleteExpired(this.#ready, now);
  }

  protected doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    const store = this.#ready;
    return acquireLease(store.pool, store.tables, store.dialect, key, input);
  }

  protected doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const store = this.#ready;
    return renewLease(store.pool, store.tables, lease, ttlMs);
  }

  protected doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    const store = this.#ready;
    return releaseLease(store.pool, store.tables, key, lease);
  }

  protected doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    return listLeases(this.#ready, query);
  }
}
