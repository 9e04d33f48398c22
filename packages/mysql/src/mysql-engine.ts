import {
  BaseEngine,
  type AcquireLeaseInput,
  type ClearMessagesOptions,
  type FencedWriteOptions,
  type Lease,
  type LeaseGrant,
  type LeaseInfo,
  type LeaseRef,
  type ListLeasesQuery,
  type Message,
  type MessageRange,
  type ModelDefinition,
  type NewMessage,
  type ResolvedFilter,
  type ResolvedQuery,
  type Session,
  type SessionChanges,
  type SessionKey,
  type SessionWriteOptions,
  type TruncateMessagesOptions,
  type UpdateSessionOptions,
} from '@sessions/core';
import { appendMessages } from './append-messages.js';
import { ensureAppendRoutine } from './append-routine.js';
import { detectServer, type Dialect } from './dialect.js';
import type { MysqlPool } from './driver.js';
import { acquireLease, releaseLease, renewLease } from './leases.js';
import { listLeases } from './list-leases.js';
import { migrate, storedSchemaVersion } from './migrations.js';
import { count, deleteSessionsWhere, findMany, updateWhere } from './model-queries.js';
import { resolveOptions, type MysqlEngineOptions, type ResolvedOptions } from './options.js';
import { createPool } from './pool.js';
import { readMessages } from './read-messages.js';
import { clearMessages, createSession, deleteExpired, deleteSession, getSession, truncateMessages, updateSession } from './session-writes.js';
import { createStore, type Store } from './store.js';
import { tableNames, type Tables } from './tables.js';
import { withConnection } from './transaction.js';

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
  #pool: Promise<MysqlPool> | undefined;
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
  #connect(): Promise<MysqlPool> {
    if (this.#pool) return this.#pool;
    const pending = this.#options.pool ? Promise.resolve(this.#options.pool) : createPool(this.#options);
    this.#pool = pending;
    pending.catch(() => {
      if (this.#pool === pending) this.#pool = undefined;
    });
    return pending;
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

  protected async doClose(): Promise<void> {
    const pending = this.#pool;
    this.#pool = undefined;
    this.#store = undefined;
    if (this.#options.pool !== undefined) return;
    // A failed creation left nothing to end.
    const owned = await pending?.catch(() => undefined);
    await owned?.end();
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
