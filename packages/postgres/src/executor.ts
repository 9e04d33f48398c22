import { createHash } from 'node:crypto';
import type { PgPool, PgPoolClient, PgQueryable } from './pg-client.js';
import { isTransient } from './pg-errors.js';
import { TYPE_PARSERS } from './type-parsers.js';

export type Row = Record<string, unknown>;

/** A fixed SQL text, prepared once per connection under a name derived from the text. */
export interface Statement {
  readonly text: string;
  readonly name: string | undefined;
}

/** A statement whose text never changes: worth preparing (skips parse and plan on reuse). */
export function prepared(text: string): Statement {
  return Object.freeze({ text, name: `sessions_${createHash('sha1').update(text).digest('hex').slice(0, 24)}` });
}

/** A one-off statement (compiled filters): sent unnamed, so the server keeps no plan for it. */
export function adHoc(text: string): Statement {
  return Object.freeze({ text, name: undefined });
}

/** Each retry follows another writer's commit, so this bounds how many may queue on one row. */
const MAX_TRANSIENT_RETRIES = 40;

/**
 * Sends statements through a pool. Every statement the engine sends on its own is atomic,
 * so one that failed with a serialization failure or deadlock (possible when the database's
 * default isolation level is above READ COMMITTED) wrote nothing and is sent again.
 */
export class Executor {
  readonly #pool: PgPool;
  readonly #prepare: boolean;

  constructor(pool: PgPool, options: { prepare: boolean }) {
    this.#pool = pool;
    this.#prepare = options.prepare;
  }

  async rows(statement: Statement, values: unknown[], on: PgQueryable = this.#pool): Promise<Row[]> {
    return (await this.result(statement, values, on)).rows;
  }

  async rowCount(statement: Statement, values: unknown[], on: PgQueryable = this.#pool): Promise<number> {
    return (await this.result(statement, values, on)).rowCount ?? 0;
  }

  async result(statement: Statement, values: unknown[], on: PgQueryable = this.#pool): Promise<{ rows: Row[]; rowCount: number | null }> {
    const config = { text: statement.text, values, types: TYPE_PARSERS, ...(this.#prepare && statement.name ? { name: statement.name } : {}) };
    for (let attempt = 0; ; attempt++) {
      try {
        return await on.query(config);
      } catch (error) {
        // Inside a transaction the whole transaction must be retried, not one statement.
        if (on !== this.#pool || attempt >= MAX_TRANSIENT_RETRIES || !isTransient(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2 ** attempt, 50)));
      }
    }
  }

  /**
   * Runs `body` in a READ COMMITTED transaction on one connection. A connection whose
   * rollback failed is destroyed rather than returned to the pool.
   */
  async transaction<T>(body: (client: PgPoolClient) => Promise<T>): Promise<T> {
    const client = await this.#pool.connect();
    let broken: Error | undefined;
    try {
      await client.query({ text: 'BEGIN ISOLATION LEVEL READ COMMITTED' });
      const result = await body(client);
      await client.query({ text: 'COMMIT' });
      return result;
    } catch (error) {
      try {
        await client.query({ text: 'ROLLBACK' });
      } catch (rollbackError) {
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
