import type { JsonPathTarget, OperandType } from '@sessions/core/engine';
import { quotedJsonPath, sqlLikePattern, type Bind, type SqlDialect } from '@sessions/core/sql';
import type { Dialect } from '../dialect.js';
import type { SqlParam } from '../driver.js';
import { quoteIdentifier } from '../tables.js';
import { asciiLowerSql, LIKE_ESCAPE } from './like-pattern.js';

/** JSON_TYPE names of numbers: MariaDB says INTEGER or DOUBLE, MySQL also UNSIGNED INTEGER and DECIMAL. */
const JSON_NUMBER_TYPES = `('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL')`;

const DIALECTS = new Map<Dialect['collation'], SqlDialect<SqlParam>>();

/** The shared filter compiler's dialect for this server: the same object for every query. */
export function sqlDialect(server: Dialect): SqlDialect<SqlParam> {
  let dialect = DIALECTS.get(server.collation);
  if (!dialect) DIALECTS.set(server.collation, (dialect = mysqlDialect(server.collation)));
  return dialect;
}

/**
 * MySQL and MariaDB for the shared filter compiler. Strings compare under the server's binary
 * NO PAD collation (code-point order); JSON values are read with JSON_EXTRACT and tested with
 * JSON_TYPE (`<=>` and IFNULL keep the test two-valued on a missing path); LIKE escapes with `!`.
 */
function mysqlDialect(collation: Dialect['collation']): SqlDialect<SqlParam> {
  const extract = (target: JsonPathTarget, bind: Bind<SqlParam>) => `JSON_EXTRACT(${quoteIdentifier(target.column)}, ${bind(quotedJsonPath(target.path))})`;
  const typed: Record<OperandType, (target: JsonPathTarget, test: (value: string) => string, bind: Bind<SqlParam>) => string> = {
    string: (target, test, bind) =>
      `(JSON_TYPE(${extract(target, bind)}) <=> 'STRING' AND ${test(`JSON_UNQUOTE(${extract(target, bind)}) COLLATE ${collation}`)})`,
    number: (target, test, bind) =>
      `(IFNULL(JSON_TYPE(${extract(target, bind)}), '') IN ${JSON_NUMBER_TYPES} AND ${test(`CAST(JSON_UNQUOTE(${extract(target, bind)}) AS DOUBLE)`)})`,
    boolean: (target, test, bind) => `(JSON_TYPE(${extract(target, bind)}) <=> 'BOOLEAN' AND ${test(`JSON_UNQUOTE(${extract(target, bind)})`)})`,
    timestamp: () => {
      throw new TypeError('JSON paths never compare with timestamps');
    },
  };
  return {
    true: 'TRUE',
    false: 'FALSE',
    quoteIdentifier,
    placeholder: () => '?',
    operand(operand, target, bind) {
      switch (operand.type) {
        case 'string':
          return bind(operand.value);
        case 'number':
          return target.kind === 'jsonPath' ? `CAST(${bind(operand.value)} AS DOUBLE)` : bind(operand.value);
        case 'boolean':
          return bind(operand.value ? 'true' : 'false');
        case 'timestamp':
          return bind(BigInt(operand.value.getTime()));
      }
    },
    jsonType: (target, bind) => `JSON_TYPE(${extract(target, bind)})`,
    jsonNull: 'NULL',
    jsonTyped: (target, type, test, bind) => typed[type](target, test, bind),
    like(value, filter, bind) {
      const pattern = bind(sqlLikePattern(filter.tokens, LIKE_ESCAPE, filter.caseInsensitive));
      return `${filter.caseInsensitive ? asciiLowerSql(value) : value} LIKE ${pattern} ESCAPE '${LIKE_ESCAPE}'`;
    },
    orderNullable: (column, direction) => `(${column} IS NULL) ${direction === 'asc' ? 'DESC' : 'ASC'}, ${column} ${direction === 'asc' ? 'ASC' : 'DESC'}`,
  };
}
