import { resolve } from 'node:path';
import { type Lease, type LeaseRef, type Message, type Session, type SessionKey, type StorageErrorKind } from '@sessions/core';
import {
  BaseEngine,
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
import { retryWhileBusy } from './busy.js';
import { configureConnection, isInMemory, openDatabase } from './connection.js';
import type { SqliteDatabase } from './database.js';
import { LeaseOperations } from './operations/leases.js';
import { LeaseListing } from './operations/list-leases.js';
import { MessageOperations } from './operations/messages.js';
import { QueryOperations } from './operations/queries.js';
import { SessionOperations } from './operations/sessions.js';
import { MEMORY_PATH, resolveOptions, type ResolvedSqliteOptions, type SqliteEngineOptions } from './options.js';
import { migrate, readSchemaVersion } from './schema/migrate.js';
import { tableNames } from './schema/tables.js';
import { storageErrorKind } from './sqlite-errors.js';
import { Store } from './store.js';

interface Operations {
  readonly leases: LeaseOperations;
  readonly leaseListing: LeaseListing;
  readonly messages: MessageOperations;
  readonly sessions: SessionOperations;
  readonly queries: QueryOperations;
}

/**
 * Sessions in one SQLite file (better-sqlite3), safe for many processes sharing it: every
 * write that must be atomic is one `BEGIN IMMEDIATE` transaction (lease check included), in
 * WAL mode, with lock waits retried asynchronously so the event loop never stalls.
 *
 * @example
 * import { SessionManager } from '@sessions/core'
 * import { SqliteEngine } from '@sessions/sqlite'
 *
 * await using engine = new SqliteEngine({ path: './sessions.db' })
 * await engine.setup()
 * const sessions = new SessionManager({ engine })
 * const chat = await sessions.create({ userId: 'alice' })
 * await sessions.append(chat, { role: 'user', content: 'hello' })
 */
export class SqliteEngine extends BaseEngine {
  /** The database file's absolute path; undefined for an in-memory database. */
  readonly path: string | undefined;
  readonly #options: ResolvedSqliteOptions;
  #db: SqliteDatabase | undefined;
  #operations: Operations | undefined;

  constructor(options: SqliteEngineOptions) {
    const resolved = resolveOptions(options);
    const inMemory = resolved.path === MEMORY_PATH || (resolved.database !== undefined && isInMemory(resolved.database));
    super('sqlite', { persistent: !inMemory, crossProcess: !inMemory, nativeTtl: false });
    this.#options = resolved;
    this.path = inMemory ? undefined : (resolved.path ?? resolve(resolved.database!.name));
  }

  /** The better-sqlite3 connection, once set up: for your own reads, or backups with `db.backup()`. */
  get database(): SqliteDatabase | undefined {
    return this.#db;
  }

  protected override storageErrorKind(error: unknown): StorageErrorKind | undefined {
    return storageErrorKind(error);
  }

  protected async doSetup(signal: AbortSignal | undefined): Promise<void> {
    const options = this.#options;
    const owned = options.database === undefined;
    const db = options.database ?? (await openDatabase(options.path!, options));
    try {
      await configureConnection(db, options, signal);
      const tables = tableNames(options.tablePrefix);
      const migration = db.transaction(() => migrate(db, tables, options.tablePrefix, Date.now()));
      await retryWhileBusy(() => migration.immediate(), options.retryTimeoutMs, signal);
      const store = new Store(db, tables, options.retryTimeoutMs);
      // Preparing statements reads the schema, which can meet a lock like anything else.
      this.#operations = await retryWhileBusy(() => createOperations(store), options.retryTimeoutMs, signal);
      this.#db = db;
    } catch (error) {
      if (owned) db.close();
      throw error;
    }
  }

  protected async doStoredSchemaVersion(signal: AbortSignal | undefined): Promise<number | null> {
    const options = this.#options;
    const tables = tableNames(options.tablePrefix);
    const read = (db: SqliteDatabase) => retryWhileBusy(() => readSchemaVersion(db, tables), options.retryTimeoutMs, signal);
    const db = this.#db ?? options.database;
    if (db) return read(db);
    // Every connection to ':memory:' gets its own empty database: one not opened yet was never set up.
    if (options.path === MEMORY_PATH) return null;
    // A connection for this question only, which must not create the file. Read-write rather than
    // read-only: a read-only connection to a WAL file leaves its -wal and -shm files behind, where
    // a read-write one that only reads removes them when it is the last to close.
    const transient = await openDatabase(options.path!, options, { mustExist: true });
    if (!transient) return null;
    try {
      return await read(transient);
    } finally {
      transient.close();
    }
  }

  protected async doClose(): Promise<void> {
    const db = this.#db;
    this.#db = undefined;
    this.#operations = undefined;
    if (db && this.#options.database === undefined) db.close();
  }

  get #ops(): Operations {
    // BaseEngine only calls the hooks between setup() and close().
    return this.#operations!;
  }

  protected doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    return this.#ops.queries.findMany(model, query);
  }

  protected doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    return this.#ops.queries.count(model, where);
  }

  protected doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    return this.#ops.queries.update(model, where, set);
  }

  protected doDeleteSessions(where: ResolvedFilter): Promise<number> {
    return this.#ops.sessions.deleteWhere(where);
  }

  protected doGetSession(key: SessionKey): Promise<Session | null> {
    return this.#ops.sessions.get(key);
  }

  protected doCreateSession(session: Session, messages: readonly Message[]): Promise<Session> {
    return this.#ops.sessions.create(session, messages);
  }

  protected doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    return this.#ops.sessions.update(key, changes, options);
  }

  protected doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    return this.#ops.messages.append(key, messages, options);
  }

  protected doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]> {
    return this.#ops.messages.read(key, range);
  }

  protected doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    return this.#ops.messages.clear(key, options);
  }

  protected doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    return this.#ops.messages.truncate(key, options);
  }

  protected doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    return this.#ops.sessions.deleteOne(key, options);
  }

  protected doDeleteExpired(now: Date): Promise<number> {
    return this.#ops.sessions.deleteExpired(now);
  }

  protected doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    return this.#ops.leases.acquire(key, input);
  }

  protected doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    return this.#ops.leases.renew(lease, ttlMs);
  }

  protected doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    return this.#ops.leases.release(key, lease);
  }

  protected doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    return this.#ops.leaseListing.list(query);
  }
}

function createOperations(store: Store): Operations {
  const leases = new LeaseOperations(store);
  return {
    leases,
    leaseListing: new LeaseListing(store),
    messages: new MessageOperations(store, leases),
    sessions: new SessionOperations(store, leases),
    queries: new QueryOperations(store),
  };
}
