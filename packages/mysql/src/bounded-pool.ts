import { withDeadline } from './deadline.js';
import type { MysqlPool, MysqlPoolConnection, StatementOptions } from './driver.js';
import { ServerTimeoutError, type Outcome } from './server-timeout-error.js';

export interface Limits {
  readonly queryTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  /** "the MySQL server at host:port". */
  readonly server: string;
}

const WRITES = /\b(INSERT|UPDATE|DELETE|REPLACE|CREATE|ALTER|DROP|TRUNCATE|CALL|COMMIT)\b/i;

/**
 * A pool whose every wait is bounded: checking a connection out (`acquireTimeoutMs`) and each
 * statement (`queryTimeoutMs`). A connection whose statement timed out is destroyed, never handed
 * back to the pool: its statement may still be running, and the next caller would queue behind it.
 * The engine bounds the wait itself rather than with mysql2's per-query `timeout`, which does not
 * cover the prepare step of `execute` and cannot be set on a pool the application owns.
 * Statements sent on the pool itself go through a checked-out connection, so they get the same
 * treatment.
 */
export class BoundedPool implements MysqlPool {
  readonly #inner: MysqlPool;
  readonly #limits: Limits;
  readonly #closed: Promise<never>;
  #close!: (reason: Error) => void;

  constructor(inner: MysqlPool, limits: Limits) {
    this.#inner = inner;
    this.#limits = limits;
    this.#closed = new Promise<never>((_, reject) => (this.#close = reject));
    this.#closed.catch(() => undefined);
  }

  /** Fails every call still waiting for a connection, and any later one. */
  close(): void {
    this.#close(new Error('the engine was closed while this call waited for a connection'));
  }

  execute(options: StatementOptions, values?: unknown): Promise<[any, any]> {
    return this.#onConnection((connection) => connection.execute(options, values));
  }

  query(sql: string): Promise<[any, any]> {
    return this.#onConnection((connection) => connection.query(sql));
  }

  async getConnection(): Promise<MysqlPoolConnection> {
    const { acquireTimeoutMs, server } = this.#limits;
    const checkout = this.#inner.getConnection();
    let settled = false;
    checkout.then(
      () => (settled = true),
      () => (settled = true),
    );
    try {
      const waiting = withDeadline(checkout, acquireTimeoutMs, () => {
        return new ServerTimeoutError(`no connection to ${server} became free within ${acquireTimeoutMs} ms (every connection is busy, or the server does not answer)`, 'read');
      });
      return new BoundedConnection(await Promise.race([waiting, this.#closed]), this.#limits);
    } catch (error) {
      // Given up before the pool answered: it may still hand the connection out later, so give it straight back.
      if (!settled) checkout.then((late) => late.release(), () => undefined);
      throw error;
    }
  }

  end(): Promise<void> {
    return this.#inner.end();
  }

  async #onConnection<T>(body: (connection: MysqlPoolConnection) => Promise<T>): Promise<T> {
    const connection = await this.getConnection();
    try {
      return await body(connection);
    } finally {
      connection.release();
    }
  }
}

class BoundedConnection implements MysqlPoolConnection {
  readonly #inner: MysqlPoolConnection;
  readonly #limits: Limits;
  #inTransaction = false;
  /** Set once the connection went back to the pool or was destroyed; it takes no more statements. */
  #done: Error | undefined;

  constructor(inner: MysqlPoolConnection, limits: Limits) {
    this.#inner = inner;
    this.#limits = limits;
  }

  execute(options: StatementOptions, values?: unknown): Promise<[any, any]> {
    return this.#bounded(options.sql, () => this.#inner.execute(options, values));
  }

  query(sql: string): Promise<[any, any]> {
    return this.#bounded(sql, () => this.#inner.query(sql));
  }

  release(): void {
    if (this.#done) return;
    this.#done = new Error('the connection was already returned to the pool');
    this.#inner.release();
  }

  destroy(): void {
    if (this.#done) return;
    this.#done = new Error('the connection was destroyed');
    this.#inner.destroy();
  }

  async #bounded<T>(sql: string, send: () => Promise<T>): Promise<T> {
    if (this.#done) throw this.#done;
    const outcome = this.#outcomeOf(sql);
    const { queryTimeoutMs, server } = this.#limits;
    const result = await withDeadline(send(), queryTimeoutMs, () => {
      const error = new ServerTimeoutError(`${server} did not answer within ${queryTimeoutMs} ms`, outcome);
      this.destroy();
      this.#done = error;
      return error;
    });
    this.#track(sql);
    return result;
  }

  #outcomeOf(sql: string): Outcome {
    if (this.#inTransaction) return /^\s*COMMIT\b/i.test(sql) ? 'maybe-committed' : 'uncommitted';
    return WRITES.test(sql) ? 'maybe-committed' : 'read';
  }

  #track(sql: string): void {
    if (/^\s*(BEGIN|START TRANSACTION)\b/i.test(sql)) this.#inTransaction = true;
    else if (/^\s*(COMMIT|ROLLBACK)\b/i.test(sql)) this.#inTransaction = false;
  }
}
