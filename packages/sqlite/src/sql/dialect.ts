import type { JsonPathTarget, Operand } from '@sessions/core/engine';
import { quotedJsonPath, sqlInList, type Bind, type SqlDialect } from '@sessions/core/sql';
import { likeToGlob } from './glob.js';
import { quoteIdentifier } from './identifier.js';

/** Up to this many values are bound one by one; longer lists go as one JSON array through `json_each`. */
const INLINE_LIST_MAX = 64;

/**
 * SQLite for the shared filter compiler. Text compares by BINARY collation, which on UTF-8 is
 * code-point order; LIKE is a GLOB (see `likeToGlob`); `json_type` names the JSON type at a path
 * and is NULL where it is missing, so `IS` and `coalesce` keep every test two-valued.
 */
export const sqliteDialect: SqlDialect = {
  true: '1',
  false: '0',
  quoteIdentifier,
  placeholder: () => '?',
  operand: (operand, _target, bind) => bind(operandValue(operand)),
  jsonType,
  jsonNull: 'null',
  jsonTyped(target, type, test, bind) {
    // The test comes first so most rows are rejected by one JSON lookup. Either order is two-valued:
    // a NULL test (missing path, JSON null) meets a guard that is then 0, and NULL AND 0 is 0.
    const value = test(`json_extract(${quoteIdentifier(target.column)}, ${bind(quotedJsonPath(target.path))})`);
    const guard = type === 'string' ? `${jsonType(target, bind)} IS 'text'` : `coalesce(${jsonType(target, bind)}, '') IN ('integer', 'real')`;
    return `(${value} AND ${guard})`;
  },
  like: (value, filter, bind) => `${value} GLOB ${bind(likeToGlob(filter.tokens, filter.caseInsensitive))}`,
  in(value, operands, negated, target, bind) {
    if (operands.length <= INLINE_LIST_MAX) return sqlInList(sqliteDialect, value, operands, negated, target, bind);
    return `${value} ${negated ? 'NOT IN' : 'IN'} (SELECT value FROM json_each(${bind(JSON.stringify(operands.map(operandValue)))}))`;
  },
  // JSON true and false are types of their own to json_type, so booleans need no value at all.
  jsonCompare(target, op, operand, bind) {
    if (operand.type !== 'boolean') return undefined;
    if (op !== 'eq' && op !== 'ne') throw new TypeError(`${op} cannot order booleans`);
    return `(${jsonType(target, bind)} IS '${operand.value === (op === 'eq') ? 'true' : 'false'}')`;
  },
  jsonIn(target, operands, negated, bind) {
    if (operands[0]?.type !== 'boolean') return undefined;
    const listed = new Set(operands.map((operand) => String(operand.value)));
    const types = ['true', 'false'].filter((type) => listed.has(type) !== negated);
    if (types.length === 0) return '0';
    return `(coalesce(${jsonType(target, bind)}, '') IN (${types.map((type) => `'${type}'`).join(', ')}))`;
  },
};

function jsonType(target: JsonPathTarget, bind: Bind<unknown>): string {
  return `json_type(${quoteIdentifier(target.column)}, ${bind(quotedJsonPath(target.path))})`;
}

function operandValue(operand: Operand): unknown {
  return operand.type === 'timestamp' ? operand.value.getTime() : operand.value;
}
