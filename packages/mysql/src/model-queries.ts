import { type Message, type Session } from '@sessions/core';
import { SessionModel, type ModelDefinition, type ResolvedFilter, type ResolvedQuery } from '@sessions/core/engine';
import { compileFilter, compileOrderBy } from '@sessions/core/sql';
import { matchedRows, select, write, type SqlParam } from './driver.js';
import { pinnedColumns } from './filter/pinned-columns.js';
import { sqlDialect } from './filter/sql-dialect.js';
import { encodeValue } from './rows.js';
import type { Store } from './store.js';
import { quoteIdentifier, tableOf } from './tables.js';
import { retryConflicts } from './transaction.js';

/** The largest LIMIT MySQL takes, for an OFFSET without a LIMIT. */
const NO_LIMIT = 9_223_372_036_854_775_807n;

export async function findMany(store: Store, model: ModelDefinition, query: ResolvedQuery): Promise<Array<Session | Message>> {
  const where = compileFilter(query.where, model, sqlDialect(store.dialect));
  const params: SqlParam[] = [...where.params];
  let page = '';
  if (query.limit !== undefined || query.offset !== undefined) {
    page = ' LIMIT ? OFFSET ?';
    params.push(query.limit === undefined ? NO_LIMIT : BigInt(query.limit), BigInt(query.offset ?? 0));
  }
  const codec = model.name === SessionModel.name ? store.sessions : store.messages;
  const rows = await select(
    store.pool,
    `SELECT ${codec.selectList} FROM ${tableOf(store.tables, model)} WHERE ${where.sql}${compileOrderBy(query.orderBy, model, sqlDialect(store.dialect), pinnedColumns(query.where))}${page}`,
    params,
  );
  return rows.map((row) => codec.decode(row));
}

export async function count(store: Store, model: ModelDefinition, filter: ResolvedFilter): Promise<number> {
  const where = compileFilter(filter, model, sqlDialect(store.dialect));
  const [row] = await select(store.pool, `SELECT COUNT(*) FROM ${tableOf(store.tables, model)} WHERE ${where.sql}`, where.params);
  return Number(row?.[0] ?? 0);
}

/** Sets fields on every matching row (sessions also get `version + 1`); returns how many matched. */
export async function updateWhere(store: Store, model: ModelDefinition, filter: ResolvedFilter, set: Readonly<Record<string, unknown>>): Promise<number> {
  const assignments: string[] = [];
  const params: SqlParam[] = [];
  for (const [field, value] of Object.entries(set)) {
    const definition = model.fields[field]!;
    assignments.push(`${quoteIdentifier(definition.column)} = ?`);
    params.push(encodeValue(definition, value));
  }
  if (model.name === SessionModel.name) assignments.push('version = version + 1');
  const where = compileFilter(filter, model, sqlDialect(store.dialect));
  const result = await retryConflicts(() =>
    write(store.pool, `UPDATE ${tableOf(store.tables, model)} SET ${assignments.join(', ')} WHERE ${where.sql}`, [...params, ...where.params]),
  );
  return matchedRows(result);
}

/** Deletes the matching sessions; their messages go with them (ON DELETE CASCADE). */
export async function deleteSessionsWhere(store: Store, filter: ResolvedFilter): Promise<number> {
  const where = compileFilter(filter, SessionModel, sqlDialect(store.dialect));
  const result = await retryConflicts(() => write(store.pool, `DELETE FROM ${store.tables.sessions} WHERE ${where.sql}`, where.params));
  return result.affectedRows;
}
