import { describe, expect, it } from 'vitest';
import { SQL_FILTER_CASES, SQL_ORDER_CASES } from '@sessions/core/testing';
import { SessionModel } from '@sessions/core';
import type { Dialect } from '../src/dialect.js';
import { compileFilter, compileOrderBy } from '@sessions/core/sql';
import { sqlDialect } from '../src/filter/sql-dialect.js';

const mariadb: Dialect = { flavour: 'mariadb', version: '10.11.0-MariaDB', collation: 'utf8mb4_nopad_bin', insertReturning: true };

// The SQL text MySQL and MariaDB plan: a change here can change a query plan, so it is written out in full.
describe('SQL text of the shared compiler with the MySQL dialect', () => {
  it('compiles each filter to a two-valued condition with `?` placeholders', () => {
    const compiled = Object.fromEntries(Object.entries(SQL_FILTER_CASES).map(([name, filter]) => [name, compileFilter(filter, SessionModel, sqlDialect(mariadb))]));
    expect(compiled).toMatchInlineSnapshot(`
      {
        "empty and": {
          "params": [],
          "sql": "TRUE",
        },
        "empty inArray": {
          "params": [],
          "sql": "FALSE",
        },
        "empty or": {
          "params": [],
          "sql": "FALSE",
        },
        "eq non-null string column": {
          "params": [
            "u",
          ],
          "sql": "(\`user_id\` = ?)",
        },
        "eq nullable string column": {
          "params": [
            "a",
          ],
          "sql": "(\`title\` IS NOT NULL AND \`title\` = ?)",
        },
        "eq path false": {
          "params": [
            "$."flag"",
            "$."flag"",
            "false",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) = ?)",
        },
        "eq path number": {
          "params": [
            "$."n"",
            "$."n"",
            2.5,
          ],
          "sql": "(IFNULL(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), '') IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND CAST(JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) AS DOUBLE) = CAST(? AS DOUBLE))",
        },
        "eq path string": {
          "params": [
            "$."plan"."tier"",
            "$."plan"."tier"",
            "pro",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin = ?)",
        },
        "eq path true": {
          "params": [
            "$."flag"",
            "$."flag"",
            "true",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) = ?)",
        },
        "gt integer column": {
          "params": [
            3,
          ],
          "sql": "(\`message_count\` > ?)",
        },
        "gt path string": {
          "params": [
            "$."name"",
            "$."name"",
            "m",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin > ?)",
        },
        "gte integer column, fraction": {
          "params": [
            1.5,
          ],
          "sql": "(\`message_count\` >= ?)",
        },
        "ilike column": {
          "params": [
            "ab%É",
          ],
          "sql": "(\`title\` IS NOT NULL AND REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(\`title\`, 'A', 'a'), 'B', 'b'), 'C', 'c'), 'D', 'd'), 'E', 'e'), 'F', 'f'), 'G', 'g'), 'H', 'h'), 'I', 'i'), 'J', 'j'), 'K', 'k'), 'L', 'l'), 'M', 'm'), 'N', 'n'), 'O', 'o'), 'P', 'p'), 'Q', 'q'), 'R', 'r'), 'S', 's'), 'T', 't'), 'U', 'u'), 'V', 'v'), 'W', 'w'), 'X', 'x'), 'Y', 'y'), 'Z', 'z') LIKE ? ESCAPE '!')",
        },
        "ilike path": {
          "params": [
            "$."note"",
            "$."note"",
            "x%",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(REPLACE(JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin, 'A', 'a'), 'B', 'b'), 'C', 'c'), 'D', 'd'), 'E', 'e'), 'F', 'f'), 'G', 'g'), 'H', 'h'), 'I', 'i'), 'J', 'j'), 'K', 'k'), 'L', 'l'), 'M', 'm'), 'N', 'n'), 'O', 'o'), 'P', 'p'), 'Q', 'q'), 'R', 'r'), 'S', 's'), 'T', 't'), 'U', 'u'), 'V', 'v'), 'W', 'w'), 'X', 'x'), 'Y', 'y'), 'Z', 'z') LIKE ? ESCAPE '!')",
        },
        "in column, long list": {
          "params": [
            "s0",
            "s1",
            "s2",
            "s3",
            "s4",
            "s5",
            "s6",
            "s7",
            "s8",
            "s9",
            "s10",
            "s11",
            "s12",
            "s13",
            "s14",
            "s15",
            "s16",
            "s17",
            "s18",
            "s19",
            "s20",
            "s21",
            "s22",
            "s23",
            "s24",
            "s25",
            "s26",
            "s27",
            "s28",
            "s29",
            "s30",
            "s31",
            "s32",
            "s33",
            "s34",
            "s35",
            "s36",
            "s37",
            "s38",
            "s39",
            "s40",
            "s41",
            "s42",
            "s43",
            "s44",
            "s45",
            "s46",
            "s47",
            "s48",
            "s49",
            "s50",
            "s51",
            "s52",
            "s53",
            "s54",
            "s55",
            "s56",
            "s57",
            "s58",
            "s59",
            "s60",
            "s61",
            "s62",
            "s63",
            "s64",
          ],
          "sql": "(\`session_id\` IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?))",
        },
        "in integer column": {
          "params": [
            1,
            2,
          ],
          "sql": "(\`message_count\` IN (?, ?))",
        },
        "in integer column, fraction": {
          "params": [
            1,
            2.5,
          ],
          "sql": "(\`message_count\` IN (?, ?))",
        },
        "in non-null column": {
          "params": [
            "a",
            "b",
          ],
          "sql": "(\`session_id\` IN (?, ?))",
        },
        "in path booleans": {
          "params": [
            "$."flag"",
            "$."flag"",
            "true",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) IN (?))",
        },
        "in path strings": {
          "params": [
            "$."tag"",
            "$."tag"",
            "a",
            "b",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin IN (?, ?))",
        },
        "in timestamp column": {
          "params": [
            1714979289010n,
          ],
          "sql": "(\`updated_at\` IN (?))",
        },
        "isNotNull column": {
          "params": [],
          "sql": "(\`title\` IS NOT NULL)",
        },
        "isNotNull path": {
          "params": [
            "$."plan"",
          ],
          "sql": "(coalesce(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), 'NULL') <> 'NULL')",
        },
        "isNull column": {
          "params": [],
          "sql": "(\`title\` IS NULL)",
        },
        "isNull path": {
          "params": [
            "$."plan"."tier"",
          ],
          "sql": "(coalesce(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), 'NULL') = 'NULL')",
        },
        "like column": {
          "params": [
            "a%b_c!%!!*?[",
          ],
          "sql": "(\`title\` IS NOT NULL AND \`title\` LIKE ? ESCAPE '!')",
        },
        "like path": {
          "params": [
            "$."note"",
            "$."note"",
            "%x_",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin LIKE ? ESCAPE '!')",
        },
        "lt timestamp column": {
          "params": [
            1714979289010n,
          ],
          "sql": "(\`updated_at\` < ?)",
        },
        "lte nullable timestamp column": {
          "params": [
            1714979289010n,
          ],
          "sql": "(\`expires_at\` IS NOT NULL AND \`expires_at\` <= ?)",
        },
        "lte path number": {
          "params": [
            "$."n"",
            "$."n"",
            7,
          ],
          "sql": "(IFNULL(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), '') IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND CAST(JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) AS DOUBLE) <= CAST(? AS DOUBLE))",
        },
        "ne nullable string column": {
          "params": [
            "a",
          ],
          "sql": "(\`title\` IS NOT NULL AND \`title\` <> ?)",
        },
        "ne path string": {
          "params": [
            "$."plan"",
            "$."plan"",
            "pro",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) COLLATE utf8mb4_nopad_bin <> ?)",
        },
        "ne path true": {
          "params": [
            "$."flag"",
            "$."flag"",
            "true",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) <> ?)",
        },
        "nested": {
          "params": [
            "u",
            "x%",
            "$."a"",
            0,
          ],
          "sql": "(((\`user_id\` = ?) AND (NOT (\`title\` IS NOT NULL AND \`title\` LIKE ? ESCAPE '!'))) OR (NOT ((coalesce(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), 'NULL') = 'NULL') OR (\`message_count\` > ?))))",
        },
        "not in both booleans": {
          "params": [
            "$."flag"",
            "$."flag"",
            "true",
            "false",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) NOT IN (?, ?))",
        },
        "not in nullable column": {
          "params": [
            "a",
          ],
          "sql": "(\`title\` IS NOT NULL AND \`title\` NOT IN (?))",
        },
        "not in path booleans": {
          "params": [
            "$."flag"",
            "$."flag"",
            "true",
          ],
          "sql": "(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'BOOLEAN' AND JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) NOT IN (?))",
        },
        "not in path numbers": {
          "params": [
            "$."n"",
            "$."n"",
            1,
            2,
          ],
          "sql": "(IFNULL(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), '') IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL') AND CAST(JSON_UNQUOTE(JSON_EXTRACT(\`metadata\`, ?)) AS DOUBLE) NOT IN (CAST(? AS DOUBLE), CAST(? AS DOUBLE)))",
        },
      }
    `);
  });

  it('orders nullable columns by an IS NULL term first', () => {
    const compiled = Object.fromEntries(Object.entries(SQL_ORDER_CASES).map(([name, { model, terms }]) => [name, compileOrderBy(terms, model, sqlDialect(mariadb))]));
    expect(compiled).toMatchInlineSnapshot(`
      {
        "messages": " ORDER BY \`created_at\` DESC, \`user_id\` ASC, \`session_id\` ASC, \`seq\` ASC",
        "nullable ascending": " ORDER BY (\`title\` IS NULL) DESC, \`title\` ASC, \`user_id\` ASC, \`session_id\` ASC",
        "nullable descending": " ORDER BY (\`expires_at\` IS NULL) ASC, \`expires_at\` DESC, \`created_at\` ASC, \`user_id\` ASC, \`session_id\` ASC",
        "sessions, default": " ORDER BY \`user_id\` ASC, \`session_id\` ASC",
      }
    `);
  });
});
