import { type Message, type Session } from '@sessions/core';
import { MessageModel, SessionModel, type ModelDefinition } from '@sessions/core/engine';
import { retryWhileBusy } from './busy.js';
import type { SqliteDatabase, SqliteStatement, SqliteTransaction } from './database.js';
import { RecordCodec } from './rows.js';
import type { TableNames } from './schema/tables.js';
import { StatementCache } from './statement-cache.js';

type Body = () => unknown;

/**
 * What the operations share once the engine is set up: the connection, its statements,
 * the codecs for each table, and the two ways to touch the database (`read`, `write`),
 * both retried asynchronously while another connection holds the lock.
 */
export class Store {
  readonly db: SqliteDatabase;
  readonly tables: TableNames;
  readonly sessions: RecordCodec<Session>;
  readonly messages: RecordCodec<Message>;
  readonly #cache: StatementCache;
  readonly #transaction: SqliteTransaction<(body: Body) => unknown>;
  readonly #retryTimeoutMs: number;

  constructor(db: SqliteDatabase, tables: TableNames, retryTimeoutMs: number) {
    this.db = db;
    this.tables = tables;
    this.sessions = new RecordCodec<Session>(SessionModel, tables.sessions);
    this.messages = new RecordCodec<Message>(MessageModel, tables.messages);
    this.#cache = new StatementCache(db);
    this.#transaction = db.transaction((body: Body) => body());
    this.#retryTimeoutMs = retryTimeoutMs;
  }

  /** A prepared statement for `sql`, from the cache. */
  statement(sql: string): SqliteStatement {
    return this.#cache.get(sql);
  }

  codec(model: ModelDefinition): RecordCodec<Session> | RecordCodec<Message> {
    if (model.name === SessionModel.name) return this.sessions;
    if (model.name === MessageModel.name) return this.messages;
    throw new TypeError(`the sqlite engine does not store ${model.name} through generic queries`);
  }

  /**
   * Runs `body` in one `BEGIN IMMEDIATE` transaction: the write lock is taken before the
   * first read, so whatever `body` reads (a lease, a last seq) cannot change before it
   * commits, in this process or any other. If `body` throws, nothing it wrote remains.
   */
  write<T>(body: () => T): Promise<T> {
    return retryWhileBusy(() => this.#transaction.immediate(body) as T, this.#retryTimeoutMs);
  }

  /** Runs a read. One statement is its own consistent snapshot; WAL lets it run beside a writer. */
  read<T>(body: () => T): Promise<T> {
    return retryWhileBusy(body, this.#retryTimeoutMs);
  }
}
