/**
 * The SQL filter and order compiler shared by the SQL adapters. Each adapter describes its
 * database in a small {@link SqlDialect}; the compiler writes the rest, so every SQL backend
 * gives a filter the same meaning.
 *
 * @example
 * import { compileFilter, compileOrderBy } from '@sessions/core/sql';
 * const where = compileFilter(query.where, model, dialect);
 * const sql = `SELECT * FROM t WHERE ${where.sql}${compileOrderBy(query.orderBy, model, dialect)}`;
 *
 * @module
 */
export { compileFilter, type CompiledSql } from './sql/compile-filter.js';
export { compileOrderBy } from './sql/compile-order.js';
export type { Bind, LikeFilter, SqlDialect } from './sql/dialect.js';
export { sqlInList } from './sql/in-list.js';
export { quotedJsonPath } from './sql/json-path.js';
export { sqlLikePattern } from './sql/like-pattern.js';
