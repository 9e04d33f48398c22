import type { ComparisonOperator } from '@sessions/core';
import type { FilterTarget, JsonPathTarget, ModelDefinition, Operand, ResolvedFilter } from '@sessions/core/engine';
import type { Dialect } from '../dialect.js';
import type { SqlParam } from '../driver.js';
import { quoteIdentifier } from '../tables.js';
import { asciiLowerSql, LIKE_ESCAPE, renderIlikePattern, renderLikePattern } from './like-pattern.js';

/** SQL text with `?` placeholders and the values bound to them, in order. */
export interface CompiledSql {
  readonly sql: string;
  readonly params: SqlParam[];
}

const OPERATORS: Readonly<Record<ComparisonOperator, string>> = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' };

/** JSON_TYPE names of numbers: MariaDB says INTEGER or DOUBLE, MySQL also UNSIGNED INTEGER and DECIMAL. */
const JSON_NUMBER_TYPES = `('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL')`;

/**
 * Compiles a resolved filter to a WHERE condition. Every value, pattern and JSON path is a bound
 * parameter; identifiers come only from the model. Every condition it produces is two-valued
 * (never NULL), so `NOT` negates exactly as the reference semantics say: a comparison with SQL
 * NULL, a missing JSON path or a JSON value of another type is false, not unknown.
 */
export function compileFilter(filter: ResolvedFilter, model: ModelDefinition, dialect: Dialect): CompiledSql {
  const params: SqlParam[] = [];
  const sql = new FilterCompiler(model, dialect, params).compile(filter);
  return { sql, params };
}

class FilterCompiler {
  readonly #model: ModelDefinition;
  readonly #collation: string;
  readonly #params: SqlParam[];

  constructor(model: ModelDefinition, dialect: Dialect, params: SqlParam[]) {
    this.#model = model;
    this.#collation = dialect.collation;
    this.#params = params;
  }

  compile(filter: ResolvedFilter): string {
    switch (filter.kind) {
      case 'constant':
        return filter.value ? 'TRUE' : 'FALSE';
      case 'and':
      case 'or':
        return `(${filter.filters.map((child) => this.compile(child)).join(filter.kind === 'and' ? ' AND ' : ' OR ')})`;
      case 'not':
        return `(NOT ${this.compile(filter.filter)})`;
      case 'null':
        return this.#isNull(filter.target, filter.negated);
      case 'compare':
        return this.#typed(filter.target, filter.operand, (value) => `${value} ${OPERATORS[filter.op]} ${this.#operand(filter.target, filter.operand)}`);
      case 'in': {
        const first = filter.operands[0]!;
        return this.#typed(filter.target, first, (value) => {
          const list = filter.operands.map((operand) => this.#operand(filter.target, operand)).join(', ');
          return `${value} ${filter.negated ? 'NOT IN' : 'IN'} (${list})`;
        });
      }
      case 'like': {
        const text: Operand = { type: 'string', value: '' };
        return this.#typed(filter.target, text, (value) => {
          const pattern = this.#bind(filter.caseInsensitive ? renderIlikePattern(filter.pattern) : renderLikePattern(filter.tokens));
          return `${filter.caseInsensitive ? asciiLowerSql(value) : value} LIKE ${pattern} ESCAPE '${LIKE_ESCAPE}'`;
        });
      }
    }
  }

  #bind(value: SqlParam): string {
    this.#params.push(value);
    return '?';
  }

  /**
   * `condition(value)` guarded so it holds only when the target has a value of the operand's
   * type. `value` is the SQL expression for the target's value, ready to compare.
   */
  #typed(target: FilterTarget, operand: Operand, condition: (value: string) => string): string {
    if (target.kind === 'column') {
      const column = quoteIdentifier(target.column);
      const nullable = this.#model.fields[target.field]?.nullable !== false;
      return nullable ? `(${column} IS NOT NULL AND ${condition(column)})` : condition(column);
    }
    switch (operand.type) {
      case 'string':
        return `(JSON_TYPE(${this.#extract(target)}) <=> 'STRING' AND ${condition(`JSON_UNQUOTE(${this.#extract(target)}) COLLATE ${this.#collation}`)})`;
      case 'number':
        return `(IFNULL(JSON_TYPE(${this.#extract(target)}), '') IN ${JSON_NUMBER_TYPES} AND ${condition(`CAST(JSON_UNQUOTE(${this.#extract(target)}) AS DOUBLE)`)})`;
      case 'boolean':
        return `(JSON_TYPE(${this.#extract(target)}) <=> 'BOOLEAN' AND ${condition(`JSON_UNQUOTE(${this.#extract(target)})`)})`;
      case 'timestamp':
        throw new TypeError('JSON paths never compare with timestamps');
    }
  }

  #operand(target: FilterTarget, operand: Operand): string {
    switch (operand.type) {
      case 'string':
        return this.#bind(operand.value);
      case 'number':
        return target.kind === 'jsonPath' ? `CAST(${this.#bind(operand.value)} AS DOUBLE)` : this.#bind(operand.value);
      case 'boolean':
        return this.#bind(operand.value ? 'true' : 'false');
      case 'timestamp':
        return this.#bind(BigInt(operand.value.getTime()));
    }
  }

  #isNull(target: FilterTarget, negated: boolean): string {
    if (target.kind === 'column') return `${quoteIdentifier(target.column)} ${negated ? 'IS NOT NULL' : 'IS NULL'}`;
    // Missing path (SQL NULL) and JSON null are both null.
    return `IFNULL(JSON_TYPE(${this.#extract(target)}), 'NULL') ${negated ? '<>' : '='} 'NULL'`;
  }

  #extract(target: JsonPathTarget): string {
    return `JSON_EXTRACT(${quoteIdentifier(target.column)}, ${this.#bind(jsonPath(target.path))})`;
  }
}

/** A MySQL JSON path with every member name quoted: `$."plan"."tier"`. */
export function jsonPath(segments: readonly string[]): string {
  return `$${segments
    .map((segment) => {
      if (!/^[A-Za-z0-9_-]+$/.test(segment)) throw new TypeError(`unexpected JSON path segment ${JSON.stringify(segment)}`);
      return `."${segment}"`;
    })
    .join('')}`;
}
