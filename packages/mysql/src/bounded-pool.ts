import { Checkouts, StatementGuard, type ServerLimits } from '@sessions/core/engine';
import type { MysqlPool, MysqlPoolConnection, StatementOptions } from './driver.js';
import { withConnection } from './transaction.js';

/**
 * A pool whose every wait is bounded: checking a connection out (`acquireTimeoutMs`) and each
 * statement (`queryTimeoutMs`); a connection whose statement timed out is destroyed. The engine
 * bounds the wait itself rather than with mysql2's per-query `timeout`, which does not cover the
 * prepare step of `execute` and cannot be set on a pool the application owns. Statements sent on
 * the pool itself go through a checked-out connection, so they get the same treatment.
 */
export class BoundedPool implements MysqlPool {
  readonly #inner: MysqlPool;
  readonly #limits: ServerLimits;
  readonly #checkouts: Checkouts;

  constructor(inner: MysqlPool, limits: ServerLimits) {
    this.#inner = inner;
    this.#limits = limits;
    this.#checkouts = new Checkouts(limits);
  }

  /** Fails every call still waiting for a connection, and any later one. */
  close(): void {
    this.#checkouts.close();
  }

  // On a connection of its own, destroyed after a fatal error, as mysql2's pool.execute would.
  execute(options: StatementOptions, values?: unknown): Promise<[any, any]> {
    return withConnection(this, (connection) => connection.execute(options, values));
  }

  query(sql: string): Promise<[any, any]> {
    return withConnection(this, (connection) => connection.query(sql));
  }

  async getConnection(): Promise<MysqlPoolConnection> {
    const connection = await this.#checkouts.wait(this.#inner.getConnection(), (late) => late.release());
    return new BoundedConnection(connection, this.#limits);
  }

  end(): Promise<void> {
    return this.#inner.end();
  }
}

class BoundedConnection implements MysqlPoolConnection {
  readonly #inner: MysqlPoolConnection;
  readonly #guard: StatementGuard;

  constructor(inner: MysqlPoolConnection, limits: ServerLimits) {
    this.#inner = inner;
    this.#guard = new StatementGuard(limits, () => inner.destroy());
  }

  execute(options: StatementOptions, values?: unknown): Promise<[any, any]> {
    return this.#guard.send(options.sql, () => this.#inner.execute(options, values));
  }

  query(sql: string): Promise<[any, any]> {
    return this.#guard.send(sql, () => this.#inner.query(sql));
  }

  release(): void {
    if (this.#guard.finish(new Error('the connection was already returned to the pool'))) this.#inner.release();
  }

  destroy(): void {
    if (this.#guard.finish(new Error('the connection was destroyed'))) this.#inner.destroy();
  }
}
