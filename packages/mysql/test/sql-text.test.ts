import { describe, expect, it } from 'vitest';
import { compiledFilterLines, compiledOrderLines } from '@sessions/core/testing';
import type { Dialect } from '../src/dialect.js';
import { sqlDialect } from '../src/filter/sql-dialect.js';

const mariadb: Dialect = { flavour: 'mariadb', version: '10.11.0-MariaDB', collation: 'utf8mb4_nopad_bin', insertReturning: true };

// The SQL text MySQL and MariaDB plan: a change here can change a query plan, so it is written out in full.
describe('SQL text of the shared compiler with the MySQL dialect', () => {
  it('compiles each filter to a two-valued condition with `?` placeholders', () => {
    expect(compiledFilterLines(sqlDialect(mariadb))).toMatchInlineSnapshot(`
      [
        "empty and: TRUE []",
        "empty or: FALSE []",
        "empty inArray: FALSE []",
        "eq non-null string column: (\`user_id\` = ?) ["u"]",
        "eq nullable string column: (\`title\` IS NOT NULL AND \`title\` = ?) ["a"]",
        "ne nullable string column: (\`title\` IS NOT NULL AND \`title\` <> ?) ["a"]",
        "gt integer column: (\`message_count\` > ?) [3]",
        "gte integer column, fraction: (\`message_count\` >= ?) [1.5]",
        "lt timestamp column: (\`updated_at\` < ?) [1714979289010n]",
        "lte nullable timestamp column: (\`expires_at\` IS NOT NULL AND \`expires_at\` <= ?) [1714979289010n]",
        "isNull column: (\`title\` IS NULL) []",
        "isNotNull column: (\`title\` IS NOT NULL) []",
        "isNull path: (coalesce(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), 'NULL') = 'NULL') ["$.\\"plan\\".\\"tier\\""]",
        "isNotNull path: (coalesce(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), 'NULL') <> 'NULL') ["$.\\"plan\\""]",
        "eq path string: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin = ?) ["$.\\"plan\\".\\"tier\\"", "$.\\"plan\\".\\"tier\\"", "pro"]",
        "ne path string: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin <> ?) ["$.\\"plan\\"", "$.\\"plan\\"", "pro"]",
        "gt path string: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin > ?) ["$.\\"name\\"", "$.\\"name\\"", "m"]",
        "eq path number: (IFNULL(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), '') IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND CAST(JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) AS DOUBLE) = CAST(? AS DOUBLE)) ["$.\\"n\\"", "$.\\"n\\"", 2.5]",
        "lte path number: (IFNULL(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), '') IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND CAST(JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) AS DOUBLE) <= CAST(? AS DOUBLE)) ["$.\\"n\\"", "$.\\"n\\"", 7]",
        "eq path true: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) = ?) ["$.\\"flag\\"", "$.\\"flag\\"", "true"]",
        "ne path true: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) <> ?) ["$.\\"flag\\"", "$.\\"flag\\"", "true"]",
        "eq path false: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) = ?) ["$.\\"flag\\"", "$.\\"flag\\"", "false"]",
        "like column: (\`title\` IS NOT NULL AND \`title\` LIKE ? ESCAPE '!') ["a%b_c!%!!*?["]",
        "ilike column: (\`title\` IS NOT NULL AND REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(\`title\`, 'A', 'a'), 'B', 'b'), 'C', 'c'), 'D', 'd'), 'E', 'e'), 'F', 'f'), 'G', 'g'), 'H', 'h'), 'I', 'i'), 'J', 'j'), 'K', 'k'), 'L', 'l'), 'M', 'm'), 'N', 'n'), 'O', 'o'), 'P', 'p'), 'Q', 'q'), 'R', 'r'), 'S', 's'), 'T', 't'), 'U', 'u'), 'V', 'v'), 'W', 'w'), 'X', 'x'), 'Y', 'y'), 'Z', 'z') LIKE ? ESCAPE '!') ["ab%É"]",
        "like path: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin LIKE ? ESCAPE '!') ["$.\\"note\\"", "$.\\"note\\"", "%x_"]",
        "ilike path: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin, 'A', 'a'), 'B', 'b'), 'C', 'c'), 'D', 'd'), 'E', 'e'), 'F', 'f'), 'G', 'g'), 'H', 'h'), 'I', 'i'), 'J', 'j'), 'K', 'k'), 'L', 'l'), 'M', 'm'), 'N', 'n'), 'O', 'o'), 'P', 'p'), 'Q', 'q'), 'R', 'r'), 'S', 's'), 'T', 't'), 'U', 'u'), 'V', 'v'), 'W', 'w'), 'X', 'x'), 'Y', 'y'), 'Z', 'z') LIKE ? ESCAPE '!') ["$.\\"note\\"", "$.\\"note\\"", "x%"]",
        "in non-null column: (\`session_id\` IN (?, ?)) ["a", "b"]",
        "not in nullable column: (\`title\` IS NOT NULL AND \`title\` NOT IN (?)) ["a"]",
        "in integer column: (\`message_count\` IN (?, ?)) [1, 2]",
        "in integer column, fraction: (\`message_count\` IN (?, ?)) [1, 2.5]",
        "in timestamp column: (\`updated_at\` IN (?)) [1714979289010n]",
        "in column, long list: (\`session_id\` IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)) ["s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "s32", "s33", "s34", "s35", "s36", "s37", "s38", "s39", "s40", "s41", "s42", "s43", "s44", "s45", "s46", "s47", "s48", "s49", "s50", "s51", "s52", "s53", "s54", "s55", "s56", "s57", "s58", "s59", "s60", "s61", "s62", "s63", "s64"]",
        "in path strings: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin IN (?, ?)) ["$.\\"tag\\"", "$.\\"tag\\"", "a", "b"]",
        "not in path numbers: (IFNULL(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), '') IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND CAST(JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) AS DOUBLE) NOT IN (CAST(? AS DOUBLE), CAST(? AS DOUBLE))) ["$.\\"n\\"", "$.\\"n\\"", 1, 2]",
        "in path booleans: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) IN (?)) ["$.\\"flag\\"", "$.\\"flag\\"", "true"]",
        "not in path booleans: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) NOT IN (?)) ["$.\\"flag\\"", "$.\\"flag\\"", "true"]",
        "not in both booleans: (JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) NOT IN (?, ?)) ["$.\\"flag\\"", "$.\\"flag\\"", "true", "false"]",
        "nested: (((\`user_id\` = ?) AND (NOT (\`title\` IS NOT NULL AND \`title\` LIKE ? ESCAPE '!'))) OR (NOT ((coalesce(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), 'NULL') = 'NULL') OR (\`message_count\` > ?)))) ["u", "x%", "$.\\"a\\"", 0]",
      ]
    `);
  });

  it('orders nullable columns by an IS NULL term first', () => {
    expect(compiledOrderLines(sqlDialect(mariadb))).toMatchInlineSnapshot(`
      [
        "sessions, default: ORDER BY \`user_id\` ASC, \`session_id\` ASC",
        "nullable ascending: ORDER BY (\`title\` IS NULL) DESC, \`title\` ASC, \`user_id\` ASC, \`session_id\` ASC",
        "nullable descending: ORDER BY (\`expires_at\` IS NULL) ASC, \`expires_at\` DESC, \`created_at\` ASC, \`user_id\` ASC, \`session_id\` ASC",
        "messages: ORDER BY \`created_at\` DESC, \`user_id\` ASC, \`session_id\` ASC, \`seq\` ASC",
      ]
    `);
  });
});
