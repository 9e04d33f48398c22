import type { ModelDefinition, ResolvedFilter, ResolvedQuery } from '@sessions/core/engine';
import { compileFilter, compileOrderBy } from '@sessions/core/sql';
import { adHoc, type Statement } from '../executor.js';
import type { ModelCodec } from '../sql/columns.js';
import { postgresDialect } from '../sql/dialect.js';
import { quoteIdent } from '../sql/identifiers.js';
import { Params } from '../sql/params.js';

/** A compiled statement with its bound values. */
export interface Compiled {
  readonly statement: Statement;
  readonly values: unknown[];
}

export function findManyQuery(table: string, codec: ModelCodec, query: ResolvedQuery): Compiled {
  const params = new Params();
  let text = `SELECT ${codec.selectList} FROM ${table} WHERE ${compileFilter(query.where, codec.model, postgresDialect, params.values).sql}`;
  text += compileOrderBy(query.orderBy, codec.model, postgresDialect);
  if (query.limit !== undefined) text += ` LIMIT ${params.add(query.limit)}`;
  if (query.offset !== undefined) text += ` OFFSET ${params.add(query.offset)}`;
  return { statement: adHoc(text), values: params.values };
}

export function countQuery(table: string, model: ModelDefinition, where: ResolvedFilter): Compiled {
  const params = new Params();
  const text = `SELECT count(*) AS count FROM ${table} WHERE ${compileFilter(where, model, postgresDialect, params.values).sql}`;
  return { statement: adHoc(text), values: params.values };
}

/** `UPDATE ... SET` the given fields; sessions also bump `version`, as every update of a session does. */
export function updateQuery(table: string, codec: ModelCodec, where: ResolvedFilter, set: Readonly<Record<string, unknown>>): Compiled {
  const params = new Params();
  const assignments = Object.entries(set).map(([field, value]) => {
    const column = codec.byField.get(field)!;
    return `${quoteIdent(column.column)} = ${params.add(column.encode(value))}::${column.sqlType}`;
  });
  const version = codec.byField.get('version');
  if (version) assignments.push(`${quoteIdent(version.column)} = ${quoteIdent(version.column)} + 1`);
  const text = `UPDATE ${table} SET ${assignments.join(', ')} WHERE ${compileFilter(where, codec.model, postgresDialect, params.values).sql}`;
  return { statement: adHoc(text), values: params.values };
}

export function deleteQuery(table: string, model: ModelDefinition, where: ResolvedFilter): Compiled {
  const params = new Params();
  return { statement: adHoc(`DELETE FROM ${table} WHERE ${compileFilter(where, model, postgresDialect, params.values).sql}`), values: params.values };
}
