import type { SqliteDatabase, SqliteStatement } from './database.js';

/**
 * Prepared statements by SQL text, least recently used dropped first. Filters compile to
 * text that depends only on their shape (values are bound), so a busy list query is
 * prepared once.
 */
export class StatementCache {
  readonly #db: SqliteDatabase;
  readonly #capacity: number;
  readonly #statements = new Map<string, SqliteStatement>();

  constructor(db: SqliteDatabase, capacity = 256) {
    this.#db = db;
    this.#capacity = capacity;
  }

  get(sql: string): SqliteStatement {
    let statement = this.#statements.get(sql);
    if (statement) {
      this.#statements.delete(sql);
    } else {
      statement = this.#db.prepare(sql);
      if (this.#statements.size >= this.#capacity) this.#statements.delete(this.#statements.keys().next().value!);
    }
    this.#statements.set(sql, statement);
    return statement;
  }
}
