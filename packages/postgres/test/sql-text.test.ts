import { describe, expect, it } from 'vitest';
import { SQL_FILTER_CASES, SQL_ORDER_CASES } from '@sessions/core/testing';
import { SessionModel } from '@sessions/core';
import { compileFilter, compileOrderBy } from '@sessions/core/sql';
import { postgresDialect } from '../src/sql/dialect.js';

// The SQL text PostgreSQL plans: a change here can change a query plan, so it is written out in full.
describe('SQL text of the shared compiler with the PostgreSQL dialect', () => {
  it('compiles each filter to a two-valued condition with numbered placeholders', () => {
    const compiled = Object.fromEntries(
      Object.entries(SQL_FILTER_CASES).map(([name, filter]) => {
        return [name, compileFilter(filter, SessionModel, postgresDialect)];
      }),
    );
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
          "sql": "("user_id" = ($1::text COLLATE "C"))",
        },
        "eq nullable string column": {
          "params": [
            "a",
          ],
          "sql": "("title" IS NOT NULL AND "title" = ($1::text COLLATE "C"))",
        },
        "eq path false": {
          "params": [
            "{"flag":false}",
          ],
          "sql": "("metadata" @> $1::jsonb)",
        },
        "eq path number": {
          "params": [
            "{"n":2.5}",
          ],
          "sql": "("metadata" @> $1::jsonb)",
        },
        "eq path string": {
          "params": [
            "{"plan":{"tier":"pro"}}",
          ],
          "sql": "("metadata" @> $1::jsonb)",
        },
        "eq path true": {
          "params": [
            "{"flag":true}",
          ],
          "sql": "("metadata" @> $1::jsonb)",
        },
        "gt integer column": {
          "params": [
            "3",
          ],
          "sql": "("message_count" > $1::bigint)",
        },
        "gt path string": {
          "params": [
            "name",
            "m",
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'string' THEN ("metadata" ->> $1::text) > ($2::text COLLATE "C") ELSE FALSE END)",
        },
        "gte integer column, fraction": {
          "params": [
            "1.5",
          ],
          "sql": "("message_count" >= $1::numeric)",
        },
        "ilike column": {
          "params": [
            "ab%É",
          ],
          "sql": "("title" IS NOT NULL AND translate("title", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $1 ESCAPE E'\\\\')",
        },
        "ilike path": {
          "params": [
            "note",
            "x%",
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'string' THEN translate(("metadata" ->> $1::text), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $2 ESCAPE E'\\\\' ELSE FALSE END)",
        },
        "in column, long list": {
          "params": [
            [
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
          ],
          "sql": "(("session_id" = ANY($1::text[])))",
        },
        "in integer column": {
          "params": [
            [
              "1",
              "2",
            ],
          ],
          "sql": "(("message_count" = ANY($1::bigint[])))",
        },
        "in integer column, fraction": {
          "params": [
            [
              "1",
              "2.5",
            ],
          ],
          "sql": "(("message_count" = ANY($1::numeric[])))",
        },
        "in non-null column": {
          "params": [
            [
              "a",
              "b",
            ],
          ],
          "sql": "(("session_id" = ANY($1::text[])))",
        },
        "in path booleans": {
          "params": [
            "flag",
            [
              true,
            ],
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'boolean' THEN ((("metadata" -> $1::text))::boolean = ANY($2::boolean[])) ELSE FALSE END)",
        },
        "in path strings": {
          "params": [
            "tag",
            [
              "a",
              "b",
            ],
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'string' THEN (("metadata" ->> $1::text) = ANY($2::text[])) ELSE FALSE END)",
        },
        "in timestamp column": {
          "params": [
            [
              "2024-05-06T07:08:09.010Z",
            ],
          ],
          "sql": "(("updated_at" = ANY($1::timestamptz[])))",
        },
        "isNotNull column": {
          "params": [],
          "sql": "("title" IS NOT NULL)",
        },
        "isNotNull path": {
          "params": [
            "plan",
          ],
          "sql": "(coalesce(jsonb_typeof(("metadata" -> $1::text)), 'null') <> 'null')",
        },
        "isNull column": {
          "params": [],
          "sql": "("title" IS NULL)",
        },
        "isNull path": {
          "params": [
            "plan",
            "tier",
          ],
          "sql": "(coalesce(jsonb_typeof(("metadata" -> $1::text -> $2::text)), 'null') = 'null')",
        },
        "like column": {
          "params": [
            "a%b_c\\%!*?[",
          ],
          "sql": "("title" IS NOT NULL AND "title" LIKE $1 ESCAPE E'\\\\')",
        },
        "like path": {
          "params": [
            "note",
            "%x_",
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'string' THEN ("metadata" ->> $1::text) LIKE $2 ESCAPE E'\\\\' ELSE FALSE END)",
        },
        "lt timestamp column": {
          "params": [
            "2024-05-06T07:08:09.010Z",
          ],
          "sql": "("updated_at" < $1::timestamptz)",
        },
        "lte nullable timestamp column": {
          "params": [
            "2024-05-06T07:08:09.010Z",
          ],
          "sql": "("expires_at" IS NOT NULL AND "expires_at" <= $1::timestamptz)",
        },
        "lte path number": {
          "params": [
            "n",
            "7",
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'number' THEN (("metadata" -> $1::text))::numeric <= $2::numeric ELSE FALSE END)",
        },
        "ne nullable string column": {
          "params": [
            "a",
          ],
          "sql": "("title" IS NOT NULL AND "title" <> ($1::text COLLATE "C"))",
        },
        "ne path string": {
          "params": [
            "{"plan":"pro"}",
            "plan",
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $2::text)) = 'string' THEN NOT ("metadata" @> $1::jsonb) ELSE FALSE END)",
        },
        "ne path true": {
          "params": [
            "{"flag":true}",
            "flag",
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $2::text)) = 'boolean' THEN NOT ("metadata" @> $1::jsonb) ELSE FALSE END)",
        },
        "nested": {
          "params": [
            "u",
            "x%",
            "a",
            "0",
          ],
          "sql": "((("user_id" = ($1::text COLLATE "C")) AND (NOT ("title" IS NOT NULL AND "title" LIKE $2 ESCAPE E'\\\\'))) OR (NOT ((coalesce(jsonb_typeof(("metadata" -> $3::text)), 'null') = 'null') OR ("message_count" > $4::bigint))))",
        },
        "not in both booleans": {
          "params": [
            "flag",
            [
              true,
              false,
            ],
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'boolean' THEN NOT ((("metadata" -> $1::text))::boolean = ANY($2::boolean[])) ELSE FALSE END)",
        },
        "not in nullable column": {
          "params": [
            [
              "a",
            ],
          ],
          "sql": "("title" IS NOT NULL AND NOT ("title" = ANY($1::text[])))",
        },
        "not in path booleans": {
          "params": [
            "flag",
            [
              true,
            ],
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'boolean' THEN NOT ((("metadata" -> $1::text))::boolean = ANY($2::boolean[])) ELSE FALSE END)",
        },
        "not in path numbers": {
          "params": [
            "n",
            [
              "1",
              "2",
            ],
          ],
          "sql": "(CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'number' THEN NOT ((("metadata" -> $1::text))::numeric = ANY($2::numeric[])) ELSE FALSE END)",
        },
      }
    `);
  });

  it('orders nullable columns with an explicit NULLS clause', () => {
    const compiled = Object.fromEntries(Object.entries(SQL_ORDER_CASES).map(([name, { model, terms }]) => [name, compileOrderBy(terms, model, postgresDialect)]));
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
