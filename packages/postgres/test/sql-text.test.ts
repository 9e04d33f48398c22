import { describe, expect, it } from 'vitest';
import { compiledFilterLines, compiledOrderLines } from '@sessions/core/testing';
import { postgresDialect } from '../src/sql/dialect.js';

// The SQL text PostgreSQL plans: a change here can change a query plan, so it is written out in full.
describe('SQL text of the shared compiler with the PostgreSQL dialect', () => {
  it('compiles each filter to a two-valued condition with numbered placeholders', () => {
    expect(compiledFilterLines(postgresDialect)).toMatchInlineSnapshot(`
      [
        "empty and: TRUE []",
        "empty or: FALSE []",
        "empty inArray: FALSE []",
        "eq non-null string column: ("user_id" = ($1::text COLLATE "C")) ["u"]",
        "eq nullable string column: ("title" IS NOT NULL AND "title" = ($1::text COLLATE "C")) ["a"]",
        "ne nullable string column: ("title" IS NOT NULL AND "title" <> ($1::text COLLATE "C")) ["a"]",
        "gt integer column: ("message_count" > $1::bigint) ["3"]",
        "gte integer column, fraction: ("message_count" >= $1::numeric) ["1.5"]",
        "lt timestamp column: ("updated_at" < $1::timestamptz) ["2024-05-06T07:08:09.010Z"]",
        "lte nullable timestamp column: ("expires_at" IS NOT NULL AND "expires_at" <= $1::timestamptz) ["2024-05-06T07:08:09.010Z"]",
        "isNull column: ("title" IS NULL) []",
        "isNotNull column: ("title" IS NOT NULL) []",
        "isNull path: (coalesce(jsonb_typeof(("metadata" -> $1::text -> $2::text)), 'null') = 'null') ["plan", "tier"]",
        "isNotNull path: (coalesce(jsonb_typeof(("metadata" -> $1::text)), 'null') <> 'null') ["plan"]",
        "eq path string: ("metadata" @> $1::jsonb) ["{\\"plan\\":{\\"tier\\":\\"pro\\"}}"]",
        "ne path string: (CASE WHEN jsonb_typeof(("metadata" -> $2::text)) = 'string' THEN NOT ("metadata" @> $1::jsonb) ELSE FALSE END) ["{\\"plan\\":\\"pro\\"}", "plan"]",
        "gt path string: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'string' THEN ("metadata" ->> $1::text) > ($2::text COLLATE "C") ELSE FALSE END) ["name", "m"]",
        "eq path number: ("metadata" @> $1::jsonb) ["{\\"n\\":2.5}"]",
        "lte path number: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'number' THEN (("metadata" -> $1::text))::numeric <= $2::numeric ELSE FALSE END) ["n", "7"]",
        "eq path true: ("metadata" @> $1::jsonb) ["{\\"flag\\":true}"]",
        "ne path true: (CASE WHEN jsonb_typeof(("metadata" -> $2::text)) = 'boolean' THEN NOT ("metadata" @> $1::jsonb) ELSE FALSE END) ["{\\"flag\\":true}", "flag"]",
        "eq path false: ("metadata" @> $1::jsonb) ["{\\"flag\\":false}"]",
        "like column: ("title" IS NOT NULL AND "title" LIKE $1 ESCAPE E'\\\\') ["a%b_c\\\\%!*?["]",
        "ilike column: ("title" IS NOT NULL AND translate("title", 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $1 ESCAPE E'\\\\') ["ab%É"]",
        "like path: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'string' THEN ("metadata" ->> $1::text) LIKE $2 ESCAPE E'\\\\' ELSE FALSE END) ["note", "%x_"]",
        "ilike path: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'string' THEN translate(("metadata" ->> $1::text), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') LIKE $2 ESCAPE E'\\\\' ELSE FALSE END) ["note", "x%"]",
        "in non-null column: (("session_id" = ANY($1::text[]))) [["a","b"]]",
        "not in nullable column: ("title" IS NOT NULL AND NOT ("title" = ANY($1::text[]))) [["a"]]",
        "in integer column: (("message_count" = ANY($1::bigint[]))) [["1","2"]]",
        "in integer column, fraction: (("message_count" = ANY($1::numeric[]))) [["1","2.5"]]",
        "in timestamp column: (("updated_at" = ANY($1::timestamptz[]))) [["2024-05-06T07:08:09.010Z"]]",
        "in column, long list: (("session_id" = ANY($1::text[]))) [["s0","s1","s2","s3","s4","s5","s6","s7","s8","s9","s10","s11","s12","s13","s14","s15","s16","s17","s18","s19","s20","s21","s22","s23","s24","s25","s26","s27","s28","s29","s30","s31","s32","s33","s34","s35","s36","s37","s38","s39","s40","s41","s42","s43","s44","s45","s46","s47","s48","s49","s50","s51","s52","s53","s54","s55","s56","s57","s58","s59","s60","s61","s62","s63","s64"]]",
        "in path strings: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'string' THEN (("metadata" ->> $1::text) = ANY($2::text[])) ELSE FALSE END) ["tag", ["a","b"]]",
        "not in path numbers: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'number' THEN NOT ((("metadata" -> $1::text))::numeric = ANY($2::numeric[])) ELSE FALSE END) ["n", ["1","2"]]",
        "in path booleans: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'boolean' THEN ((("metadata" -> $1::text))::boolean = ANY($2::boolean[])) ELSE FALSE END) ["flag", [true]]",
        "not in path booleans: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'boolean' THEN NOT ((("metadata" -> $1::text))::boolean = ANY($2::boolean[])) ELSE FALSE END) ["flag", [true]]",
        "not in both booleans: (CASE WHEN jsonb_typeof(("metadata" -> $1::text)) = 'boolean' THEN NOT ((("metadata" -> $1::text))::boolean = ANY($2::boolean[])) ELSE FALSE END) ["flag", [true,false]]",
        "nested: ((("user_id" = ($1::text COLLATE "C")) AND (NOT ("title" IS NOT NULL AND "title" LIKE $2 ESCAPE E'\\\\'))) OR (NOT ((coalesce(jsonb_typeof(("metadata" -> $3::text)), 'null') = 'null') OR ("message_count" > $4::bigint)))) ["u", "x%", "a", "0"]",
      ]
    `);
  });

  it('orders nullable columns with an explicit NULLS clause', () => {
    expect(compiledOrderLines(postgresDialect)).toMatchInlineSnapshot(`
      [
        "sessions, default: ORDER BY "user_id" ASC, "session_id" ASC",
        "nullable ascending: ORDER BY "title" ASC NULLS FIRST, "user_id" ASC, "session_id" ASC",
        "nullable descending: ORDER BY "expires_at" DESC NULLS LAST, "created_at" ASC, "user_id" ASC, "session_id" ASC",
        "messages: ORDER BY "created_at" DESC, "user_id" ASC, "session_id" ASC, "seq" ASC",
      ]
    `);
  });
});
