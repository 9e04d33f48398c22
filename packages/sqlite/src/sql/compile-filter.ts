import type { FilterTarget, ModelDefinition, Operand, ResolvedFilter } from '@sessions/core/engine';
import { likeToGlob } from './glob.js';
import { quoteIdentifier } from './identifier.js';

/** SQL text with `?` placeholders and the values to bind to them, in order. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: unknown[];
}

const OPERATORS = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Up to this many values are bound one by one; longer lists go as one JSON array through `json_each`. */
const INLINE_LIST_MAX = 64;

/**
 * Compiles a resolved filter to an SQLite boolean expression. Every value is a bound
 * parameter, JSON paths included; identifiers come only from the model definition.
 *
 * Every expression this returns is exactly 0 or 1, never NULL: comparisons on nullable
 * columns and JSON paths are guarded by a type test that is itself never NULL (`IS`,
 * `coalesce`). That keeps SQL's three-valued logic out, so `NOT` negates the two-valued
 * result the way core's reference semantics require.
 */
export function compileFilter(filter: ResolvedFilter, model: ModelDefinition): CompiledSql {
  const params: unknown[] = [];
  const sql = new FilterCompiler(model, params).compile(filter);
  return { sql, params };
}

class FilterCompiler {
  readonly #model: ModelDefinition;
  readonly #params: unknown[];

  constructor(model: ModelDefinition, params: unknown[]) {
    this.#model = model;
    this.#params = params;
  }

  compile(filter: ResolvedFilter): string {
    switch (filter.kind) {
      case 'constant':
        return filter.value ? '1' : '0';
      case 'and':
      case 'or':
        return `(${filter.filters.map((child) => this.compile(child)).join(filter.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${this.compile(filter.filter)})`;
      case 'null':
        return this.#isNull(filter.target, filter.negated);
      case 'compare':
        return this.#compare(filter.target, OPERATORS[filter.op], filter.op, filter.operand);
      case 'like':
        return this.#typed(filter.target, 'string', (value) => `${value} GLOB ${this.#bind(likeToGlob(filter.tokens, filter.caseInsensitive))}`);
      case 'in':
        return this.#in(filter.target, filter.operands, filter.negated);
    }
  }

  #bind(value: unknown): string {
    this.#params.push(value);
    return '?';
  }

  #isNull(target: FilterTarget, negated: boolean): string {
    if (target.kind === 'column') return `(${quoteIdentifier(target.column)} ${negated ? 'IS NOT' : 'IS'} NULL)`;
    // A missing path and JSON null both count as null.
    return `(coalesce(${this.#jsonType(target)}, 'null') ${negated ? '<>' : '='} 'null')`;
  }

  #compare(target: FilterTarget, sqlOperator: string, op: string, operand: Operand): string {
    if (operand.type === 'boolean') {
      if (op !== 'eq' && op !== 'ne') throw new TypeError(`${op} cannot order booleans`);
      const wanted = operand.value === (op === 'eq');
      return `(${this.#jsonType(target)} IS '${wanted ? 'true' : 'false'}')`;
    }
    return this.#typed(target, operand.type, (value) => `${value} ${sqlOperator} ${this.#bind(operandValue(operand))}`);
  }

  #in(target: FilterTarget, operands: readonly Operand[], negated: boolean): string {
    const first = operands[0]!;
    if (first.type === 'boolean') {
      const listed = new Set(operands.map((operand) => String(operand.value)));
      const types = ['true', 'false'].filter((type) => listed.has(type) !== negated);
      if (types.length === 0) return '0';
      return `(coalesce(${this.#jsonType(target)}, '') IN (${types.map((type) => `'${type}'`).join(', ')}))`;
    }
    return this.#typed(target, first.type, (value) => `${value} ${negated ? 'NOT IN' : 'IN'} ${this.#list(operands)}`);
  }

  #list(operands: readonly Operand[]): string {
    const values = operands.map(operandValue);
    if (values.length <= INLINE_LIST_MAX) return `(${values.map((value) => this.#bind(value)).join(', ')})`;
    return `(SELECT value FROM json_each(${this.#bind(JSON.stringify(values))}))`;
  }

  /**
   * `test(valueSql)` applied only where the target holds a value of the operand's type: a
   * non-null column (columns have one type, checked by core against the operand), or a JSON
   * string or number. Anything else is false, never NULL.
   */
  #typed(target: FilterTarget, type: Operand['type'], test: (value: string) => string): string {
    if (target.kind === 'column') {
      const column = quoteIdentifier(target.column);
      const nullable = this.#model.fields[target.field]?.nullable ?? true;
      return nullable ? `(${column} IS NOT NULL AND ${test(column)})` : `(${test(column)})`;
    }
    // The test comes first so most rows are rejected by one JSON lookup. Either order is two-valued:
    // a NULL test (missing path, JSON null) meets a guard that is then 0, and NULL AND 0 is 0.
    const value = test(`json_extract(${quoteIdentifier(target.column)}, ${this.#bind(jsonPath(target.path))})`);
    const guard = type === 'string' ? `${this.#jsonType(target)} IS 'text'` : `coalesce(${this.#jsonType(target)}, '') IN ('integer', 'real')`;
    return `(${value} AND ${guard})`;
  }

  #jsonType(target: FilterTarget): string {
    if (target.kind === 'column') throw new TypeError(`${target.field} is a column, not a JSON path`);
    return `json_type(${quoteIdentifier(target.column)}, ${this.#bind(jsonPath(target.path))})`;
  }
}

/**
 * `$."plan"."tier"`. Quoting every label makes `"0"` an object key, never an array index,
 * which is what core's reference (plain objects only) does. Segments are `[A-Za-z0-9_-]+`.
 */
export function jsonPath(segments: readonly string[]): string {
  return `$${segments.map((segment) => `."${segment}"`).join('')}`;
}

function operandValue(operand: Operand): unknown {
  return operand.type === 'timestamp' ? operand.value.getTime() : operand.value;
}
