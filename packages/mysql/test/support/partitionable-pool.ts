import type mysql from 'mysql2/promise';
import type { MysqlPool, MysqlPoolConnection, StatementOptions } from '../../src/index.js';

/**
 * A real pool behind a switch that cuts the app server off from the database, as a network
 * partition would: while cut, every call fails like a dead connection. Lets a test stop a lease
 * holder from reaching the server without stopping the holder itself.
 */
export class PartitionablePool implements MysqlPool {
  readonly #pool: mysql.Pool;
  partitioned = false;

  constructor(pool: mysql.Pool) {
    this.#pool = pool;
  }

  #check(): void {
    if (this.partitioned) throw Object.assign(new Error('connect ETIMEDOUT (simulated partition)'), { code: 'ETIMEDOUT', fatal: true });
  }

  async getConnection(): Promise<MysqlPoolConnection> {
    this.#check();
    const connection = await this.#pool.getConnection();
    return {
      execute: async (options: StatementOptions, values?: unknown) => {
        this.#check();
        return connection.execute(options, values as never) as Promise<[any, any]>;
      },
      query: async (sql: string) => {
        this.#check();
        return connection.query(sql) as Promise<[any, any]>;
      },
      release: () => connection.release(),
      destroy: () => connection.destroy(),
    };
  }

  async execute(options: StatementOptions, values?: unknown): Promise<[any, any]> {
    this.#check();
    return this.#pool.execute(options, values as never) as Promise<[any, any]>;
  }

  async query(sql: string): Promise<[any, any]> {
    this.#check();
    return this.#pool.query(sql) as Promise<[any, any]>;
  }

  end(): Promise<void> {
    return this.#pool.end();
  }
}
