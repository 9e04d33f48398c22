import type { Message, Session } from '@sessions/core';
import type { ModelDefinition, ResolvedFilter, ResolvedQuery } from '@sessions/core/engine';
import type { SqliteRow } from '../database.js';
import { compileFilter, compileOrderBy } from '@sessions/core/sql';
import { sqliteDialect } from '../sql/dialect.js';
import { LIMIT_OFFSET } from '../sql/limit.js';
import type { Store } from '../store.js';

/** The generic model operations: filters and orderings compiled to SQL, values always bound. */
export class QueryOperations {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  findMany(model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
    const codec = this.#store.codec(model);
    const where = compileFilter(query.where, model, sqliteDialect);
    const params = [...where.params];
    let sql = `SELECT ${codec.columnList} FROM ${codec.table} WHERE ${where.sql}${compileOrderBy(query.orderBy, model, sqliteDialect)}`;
    if (query.limit !== undefined || query.offset !== undefined) {
      sql += ` ${LIMIT_OFFSET}`;
      params.push(query.limit ?? -1, query.offset ?? 0);
    }
    return this.#store.read(() => (this.#store.statement(sql).all(...params) as SqliteRow[]).map((row) => codec.decode(row)));
  }

  count(model: ModelDefinition, where: ResolvedFilter): Promise<number> {
    const codec = this.#store.codec(model);
    const compiled = compileFilter(where, model, sqliteDialect);
    const sql = `SELECT count(*) AS count FROM ${codec.table} WHERE ${compiled.sql}`;
    return this.#store.read(() => (this.#store.statement(sql).get(...compiled.params) as { count: number }).count);
  }

  /** Sets fields on every match; a session's `version` grows with each update, as `updateSession`'s does. */
  update(model: ModelDefinition, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
    const codec = this.#store.codec(model);
    const fields = Object.keys(set);
    const assignments = fields.map((field) => `${codec.column(field)} = ?`);
    if (model.fields['version']) assignments.push(`${codec.column('version')} = ${codec.column('version')} + 1`);
    const compiled = compileFilter(where, model, sqliteDialect);
    const sql = `UPDATE ${codec.table} SET ${assignments.join(', ')} WHERE ${compiled.sql}`;
    const params = [...fields.map((field) => codec.encodeField(field, set[field])), ...compiled.params];
    return this.#store.write(() => this.#store.statement(sql).run(...params).changes);
  }
}
