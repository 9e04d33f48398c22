import type { FilterTarget, JsonPathTarget, Operand, OperandType, ResolvedFilter } from '../filter/resolved.js';
import type { ComparisonOperator } from '../filter/types.js';

/** Binds a value and returns its placeholder. Dialects with `?` placeholders must bind in the order they write SQL. */
export type Bind<P> = (value: P) => string;

/** A resolved `like` / `ilike` filter. */
export type LikeFilter = Extract<ResolvedFilter, { kind: 'like' }>;

/**
 * What one SQL database contributes to the shared filter and order compiler: how it quotes
 * names, numbers placeholders, reads a JSON path, escapes LIKE and compares text by code point.
 * `P` is the type of the values the driver binds.
 *
 * The compiler writes the structure (AND/OR/NOT, the `IS NOT NULL` guard on nullable columns,
 * `IS NULL` tests, operator symbols); the hooks write the leaves. Every hook must keep the
 * compiler's promise that a condition is TRUE or FALSE, never NULL, so `NOT` negates the
 * two-valued result core's reference semantics define.
 *
 * @example
 * // With SQLite's dialect (`?` placeholders, `"` quotes):
 * compileFilter(resolveFilter(eq('title', 'a'), SessionModel), SessionModel, sqliteDialect);
 * // { sql: '("title" IS NOT NULL AND "title" = ?)', params: ['a'] }
 */
export interface SqlDialect<P = unknown> {
  /** The conditions that always hold and never hold: `TRUE`/`FALSE`, or `1`/`0` without a boolean type. */
  readonly true: string;
  readonly false: string;
  /** Quotes a column name. Names come only from model definitions. */
  quoteIdentifier(name: string): string;
  /** The placeholder of the `index`-th bound value, counted from 1: `?` or `$1`. */
  placeholder(index: number): string;
  /** SQL for `operand` compared with `target`'s value: a bound value, cast or collated as the comparison needs. */
  operand(operand: Operand, target: FilterTarget, bind: Bind<P>): string;
  /** The name of the JSON type at a path, SQL NULL where the path is missing. */
  jsonType(target: JsonPathTarget, bind: Bind<P>): string;
  /** The name `jsonType` gives JSON null. */
  readonly jsonNull: string;
  /**
   * `test(value)` where the path holds a JSON value of `type`, and false (not NULL) for any other
   * type, JSON null or a missing path. `value` is SQL for the value there, comparable with
   * `operand()` by code point.
   */
  jsonTyped(target: JsonPathTarget, type: OperandType, test: (value: string) => string, bind: Bind<P>): string;
  /** `value LIKE pattern` with this database's escaping; `ilike` folds ASCII letters only, on both sides. */
  like(value: string, filter: LikeFilter, bind: Bind<P>): string;
  /** `value [NOT] IN (...)`; `sqlInList` when absent. */
  in?(value: string, operands: readonly Operand[], negated: boolean, target: FilterTarget, bind: Bind<P>): string;
  /** A JSON-path comparison written the database's own way (to use an index, or on booleans), or undefined for `jsonTyped`. */
  jsonCompare?(target: JsonPathTarget, op: ComparisonOperator, operand: Operand, bind: Bind<P>): string | undefined;
  /** A JSON-path `in` written the database's own way, or undefined for `jsonTyped`. */
  jsonIn?(target: JsonPathTarget, operands: readonly Operand[], negated: boolean, bind: Bind<P>): string | undefined;
  /** An order term on a nullable column, nulls first ascending and last descending; `NULLS FIRST` / `NULLS LAST` when absent. */
  orderNullable?(column: string, direction: 'asc' | 'desc'): string;
}
