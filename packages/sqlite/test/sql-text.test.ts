import { describe, expect, it } from 'vitest';
import { SQL_FILTER_CASES, SQL_ORDER_CASES } from '@sessions/core/testing';
import { SessionModel } from '@sessions/core';
import { compileFilter, compileOrderBy } from '@sessions/core/sql';
import { sqliteDialect } from '../src/sql/dialect.js';

// The SQL text SQLite plans: a change here can change a query plan, so it is written out in full.
describe('SQL text of the shared compiler with the SQLite dialect', () => {
  it('compiles each filter to a two-valued condition with `?` placeholders', () => {
    const compiled = Object.fromEntries(Object.entries(SQL_FILTER_CASES).map(([name, filter]) => [name, compileFilter(filter, SessionModel, sqliteDialect)]));
    expect(compiled).toMatchInlineSnapshot(`
      {
        "empty and": {
          "params": [],
          "sql": "1",
        },
        "empty inArray": {
          "params": [],
          "sql": "0",
        },
        "empty or": {
          "params": [],
          "sql": "0",
        },
        "eq non-null string column": {
          "params": [
            "u",
          ],
          "sql": "("user_id" = ?)",
        },
        "eq nullable string column": {
          "params": [
            "a",
          ],
          "sql": "("title" IS NOT NULL AND "title" = ?)",
        },
        "eq path false": {
          "params": [
            "$."flag"",
          ],
          "sql": "(json_type("metadata", ?) IS 'false')",
        },
        "eq path number": {
          "params": [
            "$."n"",
            2.5,
            "$."n"",
          ],
          "sql": "(json_extract("metadata", ?) = ? AND coalesce(json_type("metadata", ?), '') IN ('integer', 'real'))",
        },
        "eq path string": {
          "params": [
            "$."plan"."tier"",
            "pro",
            "$."plan"."tier"",
          ],
          "sql": "(json_extract("metadata", ?) = ? AND json_type("metadata", ?) IS 'text')",
        },
        "eq path true": {
          "params": [
            "$."flag"",
          ],
          "sql": "(json_type("metadata", ?) IS 'true')",
        },
        "gt integer column": {
          "params": [
            3,
          ],
          "sql": "("message_count" > ?)",
        },
        "gt path string": {
          "params": [
            "$."name"",
            "m",
            "$."name"",
          ],
          "sql": "(json_extract("metadata", ?) > ? AND json_type("metadata", ?) IS 'text')",
        },
        "gte integer column, fraction": {
          "params": [
            1.5,
          ],
          "sql": "("message_count" >= ?)",
        },
        "ilike column": {
          "params": [
            "[aA][bB]*É",
          ],
          "sql": "("title" IS NOT NULL AND "title" GLOB ?)",
        },
        "ilike path": {
          "params": [
            "$."note"",
            "[xX]*",
            "$."note"",
          ],
          "sql": "(json_extract("metadata", ?) GLOB ? AND json_type("metadata", ?) IS 'text')",
        },
        "in column, long list": {
          "params": [
            "["s0","s1","s2","s3","s4","s5","s6","s7","s8","s9","s10","s11","s12","s13","s14","s15","s16","s17","s18","s19","s20","s21","s22","s23","s24","s25","s26","s27","s28","s29","s30","s31","s32","s33","s34","s35","s36","s37","s38","s39","s40","s41","s42","s43","s44","s45","s46","s47","s48","s49","s50","s51","s52","s53","s54","s55","s56","s57","s58","s59","s60","s61","s62","s63","s64"]",
          ],
          "sql": "("session_id" IN (SELECT value FROM json_each(?)))",
        },
        "in integer column": {
          "params": [
            1,
            2,
          ],
          "sql": "("message_count" IN (?, ?))",
        },
        "in integer column, fraction": {
          "params": [
            1,
            2.5,
          ],
          "sql": "("message_count" IN (?, ?))",
        },
        "in non-null column": {
          "params": [
            "a",
            "b",
          ],
          "sql": "("session_id" IN (?, ?))",
        },
        "in path booleans": {
          "params": [
            "$."flag"",
          ],
          "sql": "(coalesce(json_type("metadata", ?), '') IN ('true'))",
        },
        "in path strings": {
          "params": [
            "$."tag"",
            "a",
            "b",
            "$."tag"",
          ],
          "sql": "(json_extract("metadata", ?) IN (?, ?) AND json_type("metadata", ?) IS 'text')",
        },
        "in timestamp column": {
          "params": [
            1714979289010,
          ],
          "sql": "("updated_at" IN (?))",
        },
        "isNotNull column": {
          "params": [],
          "sql": "("title" IS NOT NULL)",
        },
        "isNotNull path": {
          "params": [
            "$."plan"",
          ],
          "sql": "(coalesce(json_type("metadata", ?), 'null') <> 'null')",
        },
        "isNull column": {
          "params": [],
          "sql": "("title" IS NULL)",
        },
        "isNull path": {
          "params": [
            "$."plan"."tier"",
          ],
          "sql": "(coalesce(json_type("metadata", ?), 'null') = 'null')",
        },
        "like column": {
          "params": [
            "a*b?c%![*][?][[]",
          ],
          "sql": "("title" IS NOT NULL AND "title" GLOB ?)",
        },
        "like path": {
          "params": [
            "$."note"",
            "*x?",
            "$."note"",
          ],
          "sql": "(json_extract("metadata", ?) GLOB ? AND json_type("metadata", ?) IS 'text')",
        },
        "lt timestamp column": {
          "params": [
            1714979289010,
          ],
          "sql": "("updated_at" < ?)",
        },
        "lte nullable timestamp column": {
          "params": [
            1714979289010,
          ],
          "sql": "("expires_at" IS NOT NULL AND "expires_at" <= ?)",
        },
        "lte path number": {
          "params": [
            "$."n"",
            7,
            "$."n"",
          ],
          "sql": "(json_extract("metadata", ?) <= ? AND coalesce(json_type("metadata", ?), '') IN ('integer', 'real'))",
        },
        "ne nullable string column": {
          "params": [
            "a",
          ],
          "sql": "("title" IS NOT NULL AND "title" <> ?)",
        },
        "ne path string": {
          "params": [
            "$."plan"",
            "pro",
            "$."plan"",
          ],
          "sql": "(json_extract("metadata", ?) <> ? AND json_type("metadata", ?) IS 'text')",
        },
        "ne path true": {
          "params": [
            "$."flag"",
          ],
          "sql": "(json_type("metadata", ?) IS 'false')",
        },
        "nested": {
          "params": [
            "u",
            "x*",
            "$."a"",
            0,
          ],
          "sql": "((("user_id" = ?) AND (NOT ("title" IS NOT NULL AND "title" GLOB ?))) OR (NOT ((coalesce(json_type("metadata", ?), 'null') = 'null') OR ("message_count" > ?))))",
        },
        "not in both booleans": {
          "params": [],
          "sql": "0",
        },
        "not in nullable column": {
          "params": [
            "a",
          ],
          "sql": "("title" IS NOT NULL AND "title" NOT IN (?))",
        },
        "not in path booleans": {
          "params": [
            "$."flag"",
          ],
          "sql": "(coalesce(json_type("metadata", ?), '') IN ('false'))",
        },
        "not in path numbers": {
          "params": [
            "$."n"",
            1,
            2,
            "$."n"",
          ],
          "sql": "(json_extract("metadata", ?) NOT IN (?, ?) AND coalesce(json_type("metadata", ?), '') IN ('integer', 'real'))",
        },
      }
    `);
  });

  it('orders nullable columns with an explicit NULLS clause', () => {
    const compiled = Object.fromEntries(Object.entries(SQL_ORDER_CASES).map(([name, { model, terms }]) => [name, compileOrderBy(terms, model, sqliteDialect)]));
    expect(compiled).toMatchInlineSnapshot(`
      {
        "messages": " ORDER BY "created_at" DESC, "user_id" ASC, "session_id" ASC, "seq" ASC",
        "nullable ascending": " ORDER BY "title" ASC NULLS FIRST, "user_id" ASC, "session_id" ASC",
        "nullable descending": " ORDER BY "expires_at" DESC NULLS LAST, "created_at" ASC, "user_id" ASC, "session_id" ASC",
        "sessions, default": " ORDER BY "user_id" ASC, "session_id" ASC",
      }
    `);
  });
});
