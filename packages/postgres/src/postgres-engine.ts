import { Socket } from 'node:net';
import {
  ConcurrentUpdateError,
  LockExpiredError,
  MessageExistsError,
  SessionExistsError,
  SessionNotFoundError,
  type Lease,
  type LeaseRef,
  type Message,
  type Session,
  type SessionKey,
  type StorageErrorKind,
} from '@sessions/core';
import {
  BaseEngine,
  SESSION_CHANGE_FIELDS,
  copyMessage,
  copySession,
  MessageModel,
  SessionModel,
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
import { BoundedPool } from './bounded-pool.js';
import { Executor, type Row } from './executor.js';
import { resolveOptions, type PostgresEngineOptions } from './options.js';
import type { PgPool, PgPoolClient } from './pg-client.js';
import { loadPg } from './pg-driver.js';
import { constraintOf, PG, sqlState, storageErrorKind } from './pg-errors.js';
import { migrate, readSchemaVersion } from './schema/migrate.js';
import { MIGRATIONS } from './schema/migrations.js';
import { describeServer } from './server-address.js';
import type { ModelCodec } from './sql/columns.js';
import { tableNames, type TableNames } from './sql/tables.js';
import { toPgComparableTimestamp, toPgTimestamp } from './sql/timestamps.js';
import { Statements } from './statements/index.js';
import { messageArrays } from './statements/message-rows.js';
import { bind, type NamedStatement } from './statements/placeholders.js';
import { countQuery, deleteQuery, findManyQuery, updateQuery, type Compiled } from './statements/queries.js';

/** Larger than any seq: the open upper end of a message range. */
const NO_UPPER_SEQ = '9223372036854775807';
/** Keepalive probes start after this long without traffic, so a dead peer is noticed in minutes, not the OS's two hours. */
const KEEPALIVE_IDLE_MS = 30_000;
/** After the pool has ended, how long close() lets the server acknowledge the goodbye before destroying the sockets. */
const GOODBYE_MS = 1_000;
/** How often an acquire is retried when the lease row changed under its snapshot. */
const MAX_ACQUIRE_ATTEMPTS = 20;
/** The unique index that keeps message ids unique per session (a violation means a taken id). */
const MESSAGE_ID_INDEX = MessageModel.indexes.find((index) => index.unique)!.name;

/**
 * Sessions in PostgreSQL, through a `pg` pool. Safe for any number of app servers sharing
 * one database: appends assign seq atomically in one statement, leases and fenced writes are
 * single statements judged by the server clock, and `setup()` migrates under an advisory
 * lock held only for its transaction.
 *
 * @example
 * const engine = new PostgresEngine({ connectionString: process.env.DATABASE_URL, schema: 'chat' })
 * await engine.setup()
 * const sessions = new SessionManager({ engine })
 * // ... and on shutdown:
 * await engine.close() // ends the pool the engine created; an injected pool stays open
 */
export class PostgresEngine extends BaseEngine {
  /** Where the tables live. */
  readonly tables: TableNames;
  readonly #pool: PgPool;
  /** Set when the engine created the pool: the sockets it may have to destroy on close(). */
  readonly #sockets: SocketTracker | undefined;
  readonly #queryTimeoutMs: number;
  readonly #executor: Executor;
  /** The pool with every wait bounded: what the engine queries through. */
  readonly #bounded: BoundedPool;
  readonly #statements: Statements;

  constructor(options: PostgresEngineOptions) {
    super('postgres', { persistent: true, crossProcess: true, nativeTtl: false });
    const resolved = resolveOptions(options);
    this.tables = tableNames(resolved.schema, resolved.tablePrefix);
    this.#queryTimeoutMs = resolved.queryTimeoutMs;
    if (resolved.pool) {
      this.#pool = resolved.pool;
      this.#sockets = undefined;
    } else {
      const sockets = new SocketTracker();
      const pool = new (loadPg(resolved.connectionString!).Pool)({
        connectionString: resolved.connectionString!,
        max: resolved.poolSize,
        connectionTimeoutMillis: resolved.connectTimeoutMs,
        keepAlive: true,
        keepAliveInitialDelayMillis: KEEPALIVE_IDLE_MS,
        stream: () => sockets.track(new Socket()),
      });
      // An idle connection that dies (server restart, terminated backend) is dropped by the
      // pool; without a listener Node would crash the process. The next query reconnects.
      pool.on('error', () => undefined);
      this.#pool = pool;
      this.#sockets = sockets;
    }
    const bounded = new BoundedPool(this.#pool, {
      queryTimeoutMs: resolved.queryTimeoutMs,
      acquireTimeoutMs: resolved.acquireTimeoutMs,
      server: describeServer(resolved),
    });
    this.#executor = new Executor(bounded, { prepare: resolved.preparedStatements });
    this.#bounded = bounded;
    this.#statements = new Statements(this.tables);
  }

  /** The pool the engine queries through (the injected one, or the one it created). */
  get pool(): PgPool {
    return this.#pool;
  }

  protected override storageErrorKind(error: unknown): StorageErrorKind | undefined {
    return storageErrorKind(error);
  }

  protected async doSetup(signal: AbortSignal | undefined): Promise<void> {
    await migrate(this.#bounded, this.tables, { migrations: MIGRATIONS, signal });
  }

  // The pool connects on its first query, so asking before setup() needs nothing set up first.
  protected async doStoredSchemaVersion(): Promise<number | null> {
    return readSchemaVersion(this.#bounded, this.tables);
  }

  /**
   * Ends the pool the engine created (an injected pool stays open: its calls are bounded all the
   * same). Calls in flight get up to `queryTimeoutMs` to finish, then the server a moment to
   * acknowledge the goodbye; whatever a silent server still holds open is then destroyed, so
   * close() always returns.
   */
  protected async doClose(): Promise<void> {
    this.#bounded.close();
    const sockets = this.#sockets;
    if (!sockets) return;
    // Running out of time is expected with a silent server: the sockets are destroyed below.
    const outOfTime = new Error('the server did not acknowledge the end of its connections');
    try {
      await withDeadline(this.#pool.end(), this.#queryTimeoutMs, () => outOfTime);
      await withDeadline(sockets.allClosed(), GOODBYE_MS, () => outOfTime);
    } catch (error) {
      if (error !== outOfTime) throw error;
    } finally {
      sockets.destroyAll();
    }
  }

  async #run(named: NamedStatement, values: object): Promise<Row[]> {
    return this.#executor.rows(named.statement, bind(named, values));
  }

  async #runCompiled(compiled: Compiled): Promise<{ rows: Row[]; rowCount: number | null }> {
    return this.#executor.result(compiled.statement, compiled.values);
  }

  #model(model: ModelDefinition): { table: string; codec: ModelCodec } {
    return model.name === 'sessions'
      ? { table: this.tables.sessions, codec: this.#statements.sessions }
      : { table: this.tables.messages, codec: this.#statements.messages };
  }

  protected async doFindMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    const { table, codec } = this.#model(model);
    const { rows } = await this.#runCompiled(findManyQuery(table, codec, query));
    return rows.map((row) => codec.decode<Session | Message>(row));
  }

  protected async doCount(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    const { table } = this.#model(model);
    const { rows } = await this.#runCompiled(countQuery(table, model, where));
    return rows[0]!['count'] as number;
  }

  protected async doUpdate(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    const { table, codec } = this.#model(model);
    return (await this.#runCompiled(updateQuery(table, codec, where, set))).rowCount ?? 0;
  }

  protected async doDeleteSessions(where: ResolvedFilter): Promise<number> {
    return (await this.#runCompiled(deleteQuery(this.tables.sessions, SessionModel, where))).rowCount ?? 0;
  }

  protected async doGetSession(key: SessionKey): Promise<Session | null> {
    const rows = await this.#run(this.#statements.getSession, key);
    return rows[0] ? this.#statements.sessions.decode<Session>(rows[0]) : null;
  }

  protected async doCreateSession(session: Session, messages: readonly Message[]): Promise<Session> {
    const values: Record<string, unknown> = messageArrays(this.#statements.messages, messages, { withSeq: true });
    for (const codec of this.#statements.sessions.columns) values[codec.field] = codec.encode(session[codec.field as keyof Session]);
    const [row] = await this.#run(this.#statements.createSession, values);
    if (!row!['created']) throw new SessionExistsError(session);
    return copySession(session);
  }

  protected async doUpdateSession(key: SessionKey, changes: SessionChanges, options: UpdateSessionOptions): Promise<Session> {
    const changed = changes as unknown as Record<string, unknown>;
    const fields = SESSION_CHANGE_FIELDS.filter((field) => changed[field] !== undefined);
    const shape = { fields, fenced: options.lease !== undefined, versioned: options.expectedVersion !== undefined };
    const values: Record<string, unknown> = { ...key, ...leaseValues(options.lease), ...liveValue(options), expectedVersion: options.expectedVersion };
    for (const field of fields) values[`set_${field}`] = this.#statements.sessions.byField.get(field)!.encode(changed[field]);
    const [row] = await this.#run(this.#statements.updateSession(shape), values);
    if (!row!['leased']) throw new LockExpiredError(key);
    if (row!['userId'] === null) {
      if (row!['found'] && shape.versioned) throw new ConcurrentUpdateError(key);
      throw new SessionNotFoundError(key);
    }
    return this.#statements.sessions.decode<Session>(row!);
  }

  protected async doAppendMessages(key: SessionKey, messages: readonly NewMessage[], options: SessionWriteOptions): Promise<Message[]> {
    const codec = this.#statements.messages;
    let newest = messages[0]!.createdAt.getTime();
    for (const message of messages) newest = Math.max(newest, message.createdAt.getTime());
    const values = {
      ...key,
      ...leaseValues(options.lease),
      ...liveValue(options),
      count: messages.length,
      updatedAt: toPgTimestamp(new Date(newest)),
      ...messageArrays(codec, messages, { withSeq: false }),
    };
    let rows: Row[];
    try {
      rows = await this.#run(options.lease ? this.#statements.append.fenced : this.#statements.append.unfenced, values);
    } catch (error) {
      if (sqlState(error) === PG.uniqueViolation && constraintOf(error) === this.tables.local(MESSAGE_ID_INDEX)) {
        throw new MessageExistsError(key, await this.#takenMessageId(key, messages));
      }
      throw error;
    }
    const row = rows[0]!;
    if (row['base'] === null) {
      if (!row['leased']) throw new LockExpiredError(key);
      throw new SessionNotFoundError(key);
    }
    const base = row['base'] as number;
    return messages.map((message, i) => copyMessage({ ...message, seq: base + i + 1 }));
  }

  /** Which of the ids a failed append carried is taken (only on the error path). */
  async #takenMessageId(key: SessionKey, messages: readonly NewMessage[]): Promise<string> {
    const ids = messages.map((message) => message.id);
    const { rows } = await this.#executor.result(this.#statements.findMessageIds.statement, bind(this.#statements.findMessageIds, { ...key, ids }));
    return (rows[0]?.['id'] as string | undefined) ?? ids[0]!;
  }

  protected async doReadMessages(key: SessionKey, range: MessageRange): Promise<Message[]> {
    const codec = this.#statements.messages;
    const live = range.liveAt ? 'live' : 'any';
    const values = { ...key, ...liveValue(range), afterSeq: range.afterSeq ?? 0, beforeSeq: range.beforeSeq ?? NO_UPPER_SEQ };
    if (range.last !== undefined) {
      const rows = await this.#run(this.#statements.readDescending[live], { ...values, limit: range.last });
      return rows.reverse().map((row) => codec.decode<Message>(row));
    }
    const rows = await this.#run(this.#statements.readAscending[live], { ...values, limit: range.limit ?? null });
    return rows.map((row) => codec.decode<Message>(row));
  }

  protected async doClearMessages(key: SessionKey, options: ClearMessagesOptions): Promise<number> {
    return this.#withSessionLocked(key, options, async (client) => {
      const clear = this.#statements.clearMessages;
      const [row] = await this.#executor.rows(clear.statement, bind(clear, { ...key, updatedAt: toPgTimestamp(options.updatedAt) }), client);
      return row!['cleared'] as number;
    });
  }

  protected async doTruncateMessages(key: SessionKey, options: TruncateMessagesOptions): Promise<number> {
    return this.#withSessionLocked(key, options, async (client) => {
      const truncate = this.#statements.truncateMessages;
      const values = { ...key, afterSeq: options.afterSeq, updatedAt: toPgTimestamp(options.updatedAt) };
      const [row] = await this.#executor.rows(truncate.statement, bind(truncate, values), client);
      return row!['removed'] as number;
    });
  }

  /**
   * Runs `body` in a transaction that first checks the lease and locks the live session's row
   * (see `lockSessionStatement`), for writes that take more than one statement.
   */
  async #withSessionLocked<T>(key: SessionKey, options: SessionWriteOptions, body: (client: PgPoolClient) => Promise<T>): Promise<T> {
    return this.#executor.transaction(async (client) => {
      const lock = options.lease ? this.#statements.lockSession.fenced : this.#statements.lockSession.unfenced;
      const [flags] = await this.#executor.rows(lock.statement, bind(lock, { ...key, ...leaseValues(options.lease), ...liveValue(options) }), client);
      if (!flags!['leased']) throw new LockExpiredError(key);
      if (!flags!['found']) throw new SessionNotFoundError(key);
      return body(client);
    });
  }

  protected async doDeleteSession(key: SessionKey, options: FencedWriteOptions): Promise<boolean> {
    const statement = options.lease ? this.#statements.deleteSession.fenced : this.#statements.deleteSession.unfenced;
    const [row] = await this.#run(statement, { ...key, ...leaseValues(options.lease) });
    if (!row!['leased']) throw new LockExpiredError(key);
    return row!['deleted'] as boolean;
  }

  protected async doDeleteExpired(now: Date): Promise<number> {
    const statement = this.#statements.deleteExpired;
    return this.#executor.rowCount(statement.statement, bind(statement, { now: toPgComparableTimestamp(now) }));
  }

  protected async doAcquireLease(key: SessionKey, input: AcquireLeaseInput): Promise<LeaseGrant> {
    for (let attempt = 0; attempt < MAX_ACQUIRE_ATTEMPTS; attempt++) {
      const [row] = await this.#run(this.#statements.acquireLease, { ...key, owner: input.owner, ttlMs: input.ttlMs });
      if (!row) continue; // the holder's row is newer than this statement's snapshot: ask again
      const expiresAt = new Date(row['expiresAt'] as number);
      if (!row['acquired']) return { acquired: false, holder: row['owner'] as string, expiresAt };
      return { acquired: true, lease: { ...pickKey(key), owner: row['owner'] as string, token: row['token'] as number, expiresAt } };
    }
    throw new Error(`the lease row of session ${JSON.stringify(key.sessionId)} kept changing during ${MAX_ACQUIRE_ATTEMPTS} attempts to read it`);
  }

  protected async doRenewLease(lease: Lease, ttlMs: number): Promise<Lease | null> {
    const [row] = await this.#run(this.#statements.renewLease, { ...pickKey(lease), owner: lease.owner, token: lease.token, ttlMs });
    if (!row) return null;
    return { ...pickKey(lease), owner: lease.owner, token: lease.token, expiresAt: new Date(row['expiresAt'] as number) };
  }

  protected async doReleaseLease(key: SessionKey, lease: LeaseRef): Promise<boolean> {
    const [row] = await this.#run(this.#statements.releaseLease, { ...pickKey(key), owner: lease.owner, token: lease.token });
    return row?.['held'] === true;
  }

  protected async doListLeases(query: ListLeasesQuery & { limit: number }): Promise<LeaseInfo[]> {
    const shape = { byUser: query.userId !== undefined, byHeld: query.held !== undefined, after: query.after !== undefined };
    const values = { userId: query.userId, held: query.held, afterUserId: query.after?.userId, afterSessionId: query.after?.sessionId, limit: query.limit };
    const rows = await this.#run(this.#statements.listLeases(shape), values);
    return rows.map((row) => ({
      userId: row['userId'] as string,
      sessionId: row['sessionId'] as string,
      owner: row['owner'] as string,
      token: row['token'] as number,
      expiresAt: row['expiresAt'] === null ? null : new Date(row['expiresAt'] as number),
      held: row['held'] as boolean,
    }));
  }
}

function pickKey(key: SessionKey): SessionKey {
  return { userId: key.userId, sessionId: key.sessionId };
}

function leaseValues(lease: LeaseRef | undefined): { owner?: string; token?: number } {
  return lease ? { owner: lease.owner, token: lease.token } : {};
}

/** `liveAt` for `liveCondition`: null when not given, which skips the check. */
function liveValue(options: { readonly liveAt?: Date | undefined }): { liveAt: string | null } {
  return { liveAt: options.liveAt ? toPgComparableTimestamp(options.liveAt) : null };
}
