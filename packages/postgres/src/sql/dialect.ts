import type { ColumnTarget, JsonPathTarget, Operand, OperandType } from '@sessions/core/engine';
import { sqlLikePattern, type Bind, type SqlDialect } from '@sessions/core/sql';
import { quoteIdent } from './identifiers.js';
import { toPgComparableTimestamp } from './timestamps.js';

const JSON_TYPES: Readonly<Record<OperandType, string>> = { string: 'string', number: 'number', boolean: 'boolean', timestamp: 'string' };
const ARRAY_TYPES: Readonly<Record<OperandType, string>> = { string: 'text', number: 'numeric', boolean: 'boolean', timestamp: 'timestamptz' };
// `E'\\'` is one backslash whatever standard_conforming_strings says.
const ESCAPE = "ESCAPE E'\\\\'";
const ASCII_UPPER = "'ABCDEFGHIJKLMNOPQRSTUVWXYZ'";
const ASCII_LOWER = "'abcdefghijklmnopqrstuvwxyz'";

/**
 * PostgreSQL for the shared filter compiler. Strings compare under `COLLATE "C"` (code-point
 * order on UTF-8); a JSON-path test is a `CASE` on `jsonb_typeof`, false for any other JSON type
 * (the `CASE` also keeps casts like `::numeric` from running on a string); paths are walked with
 * `->` and text keys, which never index into arrays, so only nested objects are traversed, as in
 * the reference engine.
 */
export const postgresDialect: SqlDialect = {
  true: 'TRUE',
  false: 'FALSE',
  quoteIdentifier: quoteIdent,
  placeholder: (index) => `$${index}`,
  operand(operand, target, bind) {
    const placeholder = bind(encodeOperand(operand));
    switch (operand.type) {
      case 'string':
        return `(${placeholder}::text COLLATE "C")`;
      case 'timestamp':
        return `${placeholder}::timestamptz`;
      default:
        // A whole number keeps the comparison on bigint, so the column's index stays usable.
        return `${placeholder}::${target.kind === 'column' && target.type === 'integer' && Number.isSafeInteger(operand.value) ? 'bigint' : 'numeric'}`;
    }
  },
  jsonType: (target, bind) => `jsonb_typeof(${jsonPath(target, bind).json})`,
  jsonNull: 'null',
  jsonTyped(target, type, test, bind) {
    const path = jsonPath(target, bind);
    const value = type === 'string' ? path.text : `(${path.json})::${type === 'number' ? 'numeric' : 'boolean'}`;
    return onJsonType(path.json, JSON_TYPES[type], test(value));
  },
  like(value, filter, bind) {
    const fold = filter.caseInsensitive;
    return `${fold ? `translate(${value}, ${ASCII_UPPER}, ${ASCII_LOWER})` : value} LIKE ${bind(sqlLikePattern(filter.tokens, '\\', fold))} ${ESCAPE}`;
  },
  in(value, operands, negated, target, bind) {
    const list = bind(operands.map(encodeOperand));
    const type = target.kind === 'column' ? columnArrayType(target, operands) : ARRAY_TYPES[operands[0]!.type];
    return `${negated ? 'NOT ' : ''}(${value} = ANY(${list}::${type}[]))`;
  },
  jsonCompare(target, op, operand, bind) {
    if (op !== 'eq' && op !== 'ne') return undefined;
    // Containment of {"a":{"b":value}} is exactly "the path holds this value" (arrays are not
    // entered below the top level), and lets the GIN index on sessions.metadata serve `eq`.
    const contained = bind(JSON.stringify(target.path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), operand.value)));
    const contains = `${quoteIdent(target.column)} @> ${contained}::jsonb`;
    if (op === 'eq') return `(${contains})`;
    return onJsonType(jsonPath(target, bind).json, JSON_TYPES[operand.type], `NOT (${contains})`);
  },
};

function columnArrayType(target: ColumnTarget, operands: readonly Operand[]): string {
  if (target.type !== 'integer') return ARRAY_TYPES[target.type];
  return operands.every((operand) => Number.isSafeInteger(operand.value)) ? 'bigint' : 'numeric';
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

function jsonPath(target: JsonPathTarget, bind: Bind<unknown>): JsonPathSql {
  const keys = target.path.map((segment) => `${bind(segment)}::text`);
  const last = keys.pop()!;
  const parent = keys.reduce((expression, key) => `${expression} -> ${key}`, quoteIdent(target.column));
  return { json: `(${parent} -> ${last})`, text: `(${parent} ->> ${last})` };
}

function onJsonType(json: string, type: string, condition: string): string {
  return `(CASE WHEN jsonb_typeof(${json}) = '${type}' THEN ${condition} ELSE FALSE END)`;
}
