import type { ColumnTarget, ResolvedFilter } from '../filter/resolved.js';
import type { ComparisonOperator } from '../filter/types.js';
import type { ModelDefinition } from '../models/model.js';
import type { Bind, SqlDialect } from './dialect.js';
import { sqlInList } from './in-list.js';

/** SQL text and the values bound to its placeholders, in placeholder order. */
export interface CompiledSql<P = unknown> {
  readonly sql: string;
  readonly params: P[];
}

const OPERATORS: Readonly<Record<ComparisonOperator, string>> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/**
 * Compiles a resolved filter to an SQL condition on the model's table. Every value, pattern and
 * JSON path is a bound parameter and names come only from the model, so nothing a caller wrote
 * becomes SQL text. The condition is TRUE or FALSE, never NULL: comparisons on nullable columns
 * are guarded by `IS NOT NULL` and JSON paths by a type test (see {@link SqlDialect.jsonTyped}),
 * so `NOT` negates exactly as the reference semantics say.
 *
 * Values are appended to `params`, so a statement that binds values before its WHERE clause
 * passes them in and `$n` placeholders continue from there.
 *
 * @example
 * const where = compileFilter(query.where, SessionModel, dialect);
 * db.prepare(`SELECT * FROM sessions WHERE ${where.sql}`).all(...where.params);
 */
export function compileFilter<P>(filter: ResolvedFilter, model: ModelDefinition, dialect: SqlDialect<P>, params: P[] = []): CompiledSql<P> {
  const bind: Bind<P> = (value) => dialect.placeholder(params.push(value));
  return { sql: compile(filter, model, dialect, bind), params };
}

function compile<P>(filter: ResolvedFilter, model: ModelDefinition, dialect: SqlDialect<P>, bind: Bind<P>): string {
  switch (filter.kind) {
    case 'constant':
      return filter.value ? dialect.true : dialect.false;
    case 'and':
    case 'or':
      return `(${filter.filters.map((child) => compile(child, model, dialect, bind)).join(filter.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compile(filter.filter, model, dialect, bind)})`;
    case 'null': {
      const { target, negated } = filter;
      if (target.kind === 'column') return `(${dialect.quoteIdentifier(target.column)} IS ${negated ? 'NOT ' : ''}NULL)`;
      // A missing path and JSON null both count as null.
      return `(coalesce(${dialect.jsonType(target, bind)}, '${dialect.jsonNull}') ${negated ? '<>' : '='} '${dialect.jsonNull}')`;
    }
    case 'compare': {
      const { target, operand } = filter;
      const compare = (value: string) => `${value} ${OPERATORS[filter.op]} ${dialect.operand(operand, target, bind)}`;
      if (target.kind === 'column') return onColumn(target, model, dialect, compare);
      return dialect.jsonCompare?.(target, filter.op, operand, bind) ?? dialect.jsonTyped(target, operand.type, compare, bind);
    }
    case 'like': {
      const like = (value: string) => dialect.like(value, filter, bind);
      return filter.target.kind === 'column' ? onColumn(filter.target, model, dialect, like) : dialect.jsonTyped(filter.target, 'string', like, bind);
    }
    case 'in': {
      const { target, operands, negated } = filter;
      const list = (value: string) =>
        dialect.in ? dialect.in(value, operands, negated, target, bind) : sqlInList(dialect, value, operands, negated, target, bind);
      if (target.kind === 'column') return onColumn(target, model, dialect, list);
      return dialect.jsonIn?.(target, operands, negated, bind) ?? dialect.jsonTyped(target, operands[0]!.type, list, bind);
    }
  }
}

/** `test(column)`, false rather than NULL where a nullable column is NULL. */
function onColumn<P>(target: ColumnTarget, model: ModelDefinition, dialect: SqlDialect<P>, test: (value: string) => string): string {
  const column = dialect.quoteIdentifier(target.column);
  return model.fields[target.field]?.nullable === false ? `(${test(column)})` : `(${column} IS NOT NULL AND ${test(column)})`;
}
