import {
  asciiLowerCase,
  type ColumnTarget,
  type JsonPathTarget,
  type LikeToken,
  type ModelDefinition,
  type Operand,
  type ResolvedFilter,
} from '@sessions/core/engine';
import { quoteIdent } from './identifiers.js';
import type { Params } from './params.js';
import { toPgComparableTimestamp } from './timestamps.js';

const COMPARISON_SQL = { eq: '=', ne: '<>', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const JSON_TYPES = { string: 'string', number: 'number', boolean: 'boolean' } as const;
// `E'\\'` is one backslash whatever standard_conforming_strings says.
const ESCAPE = "ESCAPE E'\\\\'";
const ASCII_UPPER = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
const ASCII_LOWER = "'abcdefghijklmnopqrstuvwxyz'";

/**
 * Compiles a resolved filter to a SQL condition on the model's table. Values are always
 * bound parameters and names come only from the model, so nothing the caller wrote becomes
 * SQL text. Every condition compiled here is TRUE or FALSE, never NULL, so `NOT` has the
 * two-valued meaning the filter semantics define:
 * - a comparison on a nullable column is guarded with `IS NOT NULL`;
 * - a comparison on a metadata path is a `CASE` on `jsonb_typeof`, false for any other JSON
 *   type (the `CASE` also keeps casts like `::numeric` from running on a string);
 * - metadata paths are walked with `->` and text keys, which never index into arrays, so
 *   only nested objects are traversed, as in the reference engine.
 */
export function compileFilter(filter: ResolvedFilter, model: ModelDefinition, params: Params): string {
  switch (filter.kind) {
    case 'constant':
      return filter.value ? 'TRUE' : 'FALSE';
    case 'and':
    case 'or':
      return `(${filter.filters.map((child) => compileFilter(child, model, params)).join(filter.kind === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${compileFilter(filter.filter, model, params)})`;
    case 'null':
      return filter.target.kind === 'column'
        ? `(${quoteIdent(filter.target.column)} IS ${filter.negated ? 'NOT ' : ''}NULL)`
        : `(coalesce(jsonb_typeof(${jsonPath(filter.target, params).json}), 'null') ${filter.negated ? '<>' : '='} 'null')`;
    case 'compare':
      return filter.target.kind === 'column'
        ? guardNull(filter.target, model, `${quoteIdent(filter.target.column)} ${COMPARISON_SQL[filter.op]} ${columnOperand(filter.target, filter.operand, params)}`)
        : compareJson(filter.target, filter.op, filter.operand, params);
    case 'like': {
      const pattern = params.add(likePattern(filter.tokens, filter.caseInsensitive));
      const like = (text: string) => `${filter.caseInsensitive ? `translate(${text}, ${ASCII_UPPER}, ${ASCII_LOWER})` : text} LIKE ${pattern} ${ESCAPE}`;
      if (filter.target.kind === 'column') return guardNull(filter.target, model, like(quoteIdent(filter.target.column)));
      const path = jsonPath(filter.target, params);
      return onJsonType(path.json, 'string', like(path.text));
    }
    case 'in': {
      const not = filter.negated ? 'NOT ' : '';
      if (filter.target.kind === 'column') {
        const list = params.add(filter.operands.map((operand) => encodeOperand(operand)));
        return guardNull(filter.target, model, `${not}(${quoteIdent(filter.target.column)} = ANY(${list}::${arrayElementType(filter.target, filter.operands)}[]))`);
      }
      const type = filter.operands[0]!.type as keyof typeof JSON_TYPES;
      const path = jsonPath(filter.target, params);
      const list = params.add(filter.operands.map((operand) => encodeOperand(operand)));
      const value = type === 'string' ? path.text : `(${path.json})::${type === 'number' ? 'numeric' : 'boolean'}`;
      return onJsonType(path.json, JSON_TYPES[type], `${not}(${value} = ANY(${list}::${type === 'string' ? 'text' : type === 'number' ? 'numeric' : 'boolean'}[]))`);
    }
  }
}

/** `(col IS NOT NULL AND cond)` for nullable columns: false, not NULL, when the column is NULL. */
function guardNull(target: ColumnTarget, model: ModelDefinition, condition: string): string {
  return model.fields[target.field]?.nullable ? `(${quoteIdent(target.column)} IS NOT NULL AND ${condition})` : `(${condition})`;
}

function columnOperand(target: ColumnTarget, operand: Operand, params: Params): string {
  const placeholder = params.add(encodeOperand(operand));
  switch (operand.type) {
    case 'string':
      return `(${placeholder}::text COLLATE "C")`;
    case 'timestamp':
      return `${placeholder}::timestamptz`;
    default:
      // A whole number keeps the comparison on bigint, so the column's index stays usable.
      return `${placeholder}::${target.type === 'integer' && Number.isSafeInteger(operand.value) ? 'bigint' : 'numeric'}`;
  }
}

function arrayElementType(target: ColumnTarget, operands: readonly Operand[]): string {
  switch (target.type) {
    case 'string':
      return 'text';
    case 'timestamp':
      return 'timestamptz';
    case 'integer':
      return operands.every((operand) => Number.isSafeInteger(operand.value)) ? 'bigint' : 'numeric';
  }
}

function encodeOperand(operand: Operand): string | boolean {
  switch (operand.type) {
    case 'timestamp':
      return toPgComparableTimestamp(operand.value);
    case 'number':
      return String(operand.value);
    default:
      return operand.value;
  }
}

interface JsonPathSql {
  /** The jsonb value at the path, NULL when missing. */
  readonly json: string;
  /** The same value as text (a string's contents unquoted). */
  readonly text: string;
}

function jsonPath(target: JsonPathTarget, params: Params): JsonPathSql {
  const keys = target.path.map((segment) => `${params.add(segment)}::text`);
  const last = keys.pop()!;
  const parent = keys.reduce((expression, key) => `${expression} -> ${key}`, quoteIdent(target.column));
  return { json: `(${parent} -> ${last})`, text: `(${parent} ->> ${last})` };
}

function onJsonType(json: string, type: string, condition: string): string {
  return `(CASE WHEN jsonb_typeof(${json}) = '${type}' THEN ${condition} ELSE FALSE END)`;
}

function compareJson(target: JsonPathTarget, op: keyof typeof COMPARISON_SQL, operand: Operand, params: Params): string {
  const type = operand.type as keyof typeof JSON_TYPES;
  if (op === 'eq' || op === 'ne') {
    // Containment of {"a":{"b":value}} is exactly "the path holds this value" (arrays are not
    // entered below the top level), and lets the GIN index on sessions.metadata serve `eq`.
    const contained = params.add(JSON.stringify(target.path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), operand.value)));
    const contains = `${quoteIdent(target.column)} @> ${contained}::jsonb`;
    if (op === 'eq') return `(${contains})`;
    return onJsonType(jsonPath(target, params).json, JSON_TYPES[type], `NOT (${contains})`);
  }
  const path = jsonPath(target, params);
  const value = params.add(encodeOperand(operand));
  const sql = COMPARISON_SQL[op];
  if (type === 'string') return onJsonType(path.json, 'string', `(${path.text} COLLATE "C") ${sql} (${value}::text COLLATE "C")`);
  return onJsonType(path.json, 'number', `(${path.json})::numeric ${sql} ${value}::numeric`);
}

/** The pattern in PostgreSQL's LIKE syntax with `\` as escape; `fold` lower-cases ASCII letters of the literals. */
export function likePattern(tokens: readonly LikeToken[], fold: boolean): string {
  let pattern = '';
  for (const token of tokens) {
    if (token.kind === 'any') pattern += '%';
    else if (token.kind === 'one') pattern += '_';
    else pattern += (fold ? asciiLowerCase(token.text) : token.text).replace(/[\\%_]/g, '\\$&');
  }
  return pattern;
}
