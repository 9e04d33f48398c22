import { describe, expect, it } from 'vitest';
import { compiledFilterLines, compiledOrderLines } from '@sessions/core/testing';
import { sqliteDialect } from '../src/sql/dialect.js';

// The SQL text SQLite plans: a change here can change a query plan, so it is written out in full.
describe('SQL text of the shared compiler with the SQLite dialect', () => {
  it('compiles each filter to a two-valued condition with `?` placeholders', () => {
    expect(compiledFilterLines(sqliteDialect)).toMatchInlineSnapshot(`
      [
        "empty and: 1 []",
        "empty or: 0 []",
        "empty inArray: 0 []",
        "eq non-null string column: ("user_id" = ?) ["u"]",
        "eq nullable string column: ("title" IS NOT NULL AND "title" = ?) ["a"]",
        "ne nullable string column: ("title" IS NOT NULL AND "title" <> ?) ["a"]",
        "gt integer column: ("message_count" > ?) [3]",
        "gte integer column, fraction: ("message_count" >= ?) [1.5]",
        "lt timestamp column: ("updated_at" < ?) [1714979289010]",
        "lte nullable timestamp column: ("expires_at" IS NOT NULL AND "expires_at" <= ?) [1714979289010]",
        "isNull column: ("title" IS NULL) []",
        "isNotNull column: ("title" IS NOT NULL) []",
        "isNull path: (coalesce(json_type("metadata", ?), 'null') = 'null') ["$.\\"plan\\".\\"tier\\""]",
        "isNotNull path: (coalesce(json_type("metadata", ?), 'null') <> 'null') ["$.\\"plan\\""]",
        "eq path string: (json_extract("metadata", ?) = ? AND json_type("metadata", ?) IS 'text') ["$.\\"plan\\".\\"tier\\"", "pro", "$.\\"plan\\".\\"tier\\""]",
        "ne path string: (json_extract("metadata", ?) <> ? AND json_type("metadata", ?) IS 'text') ["$.\\"plan\\"", "pro", "$.\\"plan\\""]",
        "gt path string: (json_extract("metadata", ?) > ? AND json_type("metadata", ?) IS 'text') ["$.\\"name\\"", "m", "$.\\"name\\""]",
        "eq path number: (json_extract("metadata", ?) = ? AND coalesce(json_type("metadata", ?), '') IN ('integer', 'real')) ["$.\\"n\\"", 2.5, "$.\\"n\\""]",
        "lte path number: (json_extract("metadata", ?) <= ? AND coalesce(json_type("metadata", ?), '') IN ('integer', 'real')) ["$.\\"n\\"", 7, "$.\\"n\\""]",
        "eq path true: (json_type("metadata", ?) IS 'true') ["$.\\"flag\\""]",
        "ne path true: (json_type("metadata", ?) IS 'false') ["$.\\"flag\\""]",
        "eq path false: (json_type("metadata", ?) IS 'false') ["$.\\"flag\\""]",
        "like column: ("title" IS NOT NULL AND "title" GLOB ?) ["a*b?c%![*][?][[]"]",
        "ilike column: ("title" IS NOT NULL AND "title" GLOB ?) ["[aA][bB]*É"]",
        "like path: (json_extract("metadata", ?) GLOB ? AND json_type("metadata", ?) IS 'text') ["$.\\"note\\"", "*x?", "$.\\"note\\""]",
        "ilike path: (json_extract("metadata", ?) GLOB ? AND json_type("metadata", ?) IS 'text') ["$.\\"note\\"", "[xX]*", "$.\\"note\\""]",
        "in non-null column: ("session_id" IN (?, ?)) ["a", "b"]",
        "not in nullable column: ("title" IS NOT NULL AND "title" NOT IN (?)) ["a"]",
        "in integer column: ("message_count" IN (?, ?)) [1, 2]",
        "in integer column, fraction: ("message_count" IN (?, ?)) [1, 2.5]",
        "in timestamp column: ("updated_at" IN (?)) [1714979289010]",
        "in column, long list: ("session_id" IN (SELECT value FROM json_each(?))) ["[\\"s0\\",\\"s1\\",\\"s2\\",\\"s3\\",\\"s4\\",\\"s5\\",\\"s6\\",\\"s7\\",\\"s8\\",\\"s9\\",\\"s10\\",\\"s11\\",\\"s12\\",\\"s13\\",\\"s14\\",\\"s15\\",\\"s16\\",\\"s17\\",\\"s18\\",\\"s19\\",\\"s20\\",\\"s21\\",\\"s22\\",\\"s23\\",\\"s24\\",\\"s25\\",\\"s26\\",\\"s27\\",\\"s28\\",\\"s29\\",\\"s30\\",\\"s31\\",\\"s32\\",\\"s33\\",\\"s34\\",\\"s35\\",\\"s36\\",\\"s37\\",\\"s38\\",\\"s39\\",\\"s40\\",\\"s41\\",\\"s42\\",\\"s43\\",\\"s44\\",\\"s45\\",\\"s46\\",\\"s47\\",\\"s48\\",\\"s49\\",\\"s50\\",\\"s51\\",\\"s52\\",\\"s53\\",\\"s54\\",\\"s55\\",\\"s56\\",\\"s57\\",\\"s58\\",\\"s59\\",\\"s60\\",\\"s61\\",\\"s62\\",\\"s63\\",\\"s64\\"]"]",
        "in path strings: (json_extract("metadata", ?) IN (?, ?) AND json_type("metadata", ?) IS 'text') ["$.\\"tag\\"", "a", "b", "$.\\"tag\\""]",
        "not in path numbers: (json_extract("metadata", ?) NOT IN (?, ?) AND coalesce(json_type("metadata", ?), '') IN ('integer', 'real')) ["$.\\"n\\"", 1, 2, "$.\\"n\\""]",
        "in path booleans: (coalesce(json_type("metadata", ?), '') IN ('true')) ["$.\\"flag\\""]",
        "not in path booleans: (coalesce(json_type("metadata", ?), '') IN ('false')) ["$.\\"flag\\""]",
        "not in both booleans: 0 []",
        "nested: ((("user_id" = ?) AND (NOT ("title" IS NOT NULL AND "title" GLOB ?))) OR (NOT ((coalesce(json_type("metadata", ?), 'null') = 'null') OR ("message_count" > ?)))) ["u", "x*", "$.\\"a\\"", 0]",
      ]
    `);
  });

  it('orders nullable columns with an explicit NULLS clause', () => {
    expect(compiledOrderLines(sqliteDialect)).toMatchInlineSnapshot(`
      [
        "sessions, default: ORDER BY "user_id" ASC, "session_id" ASC",
        "nullable ascending: ORDER BY "title" ASC NULLS FIRST, "user_id" ASC, "session_id" ASC",
        "nullable descending: ORDER BY "expires_at" DESC NULLS LAST, "created_at" ASC, "user_id" ASC, "session_id" ASC",
        "messages: ORDER BY "created_at" DESC, "user_id" ASC, "session_id" ASC, "seq" ASC",
      ]
    `);
  });
});
