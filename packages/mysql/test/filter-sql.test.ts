import { describe, expect, it } from 'vitest';
import { and, eq, ilike, inArray, isNull, like, not, notInArray, or, type Filter } from '@sessions/core';
import { MessageModel, resolveFilter, resolveOrderBy, SessionModel } from '@sessions/core/engine';
import type { Dialect } from '../src/dialect.js';
import { compileFilter, compileOrderBy, quotedJsonPath, sqlLikePattern } from '@sessions/core/sql';
import { asciiLowerSql, LIKE_ESCAPE } from '../src/filter/like-pattern.js';
import { pinnedColumns } from '../src/filter/pinned-columns.js';
import { sqlDialect } from '../src/filter/sql-dialect.js';
import { parseLikePattern } from '@sessions/core/engine';

const mariadb: Dialect = { flavour: 'mariadb', version: '10.11.0-MariaDB', collation: 'utf8mb4_nopad_bin', insertReturning: true };
const mysql8: Dialect = { flavour: 'mysql', version: '8.0.36', collation: 'utf8mb4_0900_bin', insertReturning: false };
const compile = (filter: Filter, dialect: Dialect = mariadb) => compileFilter(resolveFilter(filter, SessionModel), SessionModel, sqlDialect(dialect));

const HOSTILE = `x' OR 1=1; DROP TABLE sessions; -- "\` \\ %_ 😀`;

describe('filter compilation', () => {
  it('binds every value as a parameter and never writes it into the SQL text', () => {
    const compiled = compile(and(eq('title', HOSTILE), eq('metadata.channel', HOSTILE), like('title', `%${HOSTILE}`), inArray('sessionId', [HOSTILE, 'b'])));
    expect(compiled.sql).not.toContain('DROP');
    expect(compiled.sql).not.toContain('😀');
    expect(compiled.params).toContain(HOSTILE);
    expect(compiled.sql.split('?').length - 1).toBe(compiled.params.length);
  });

  it('binds JSON paths as parameters, with every member name quoted', () => {
    const compiled = compile(eq('metadata.plan-2.tier_1', 'pro'));
    expect(compiled.params).toContain('$."plan-2"."tier_1"');
    expect(compiled.sql).not.toContain('plan-2');
    expect(quotedJsonPath(['a', 'b'])).toBe('$."a"."b"');
    expect(() => quotedJsonPath(['a"]'])).toThrow(TypeError);
  });

  it('quotes identifiers taken from the model', () => {
    expect(compile(eq('parentSessionId', 'p')).sql).toBe('(`parent_session_id` IS NOT NULL AND `parent_session_id` = ?)');
    expect(compile(eq('userId', 'u')).sql).toBe('(`user_id` = ?)');
  });

  it('guards nullable columns so a comparison with NULL is false rather than unknown', () => {
    expect(compile(not(eq('title', 'a'))).sql).toBe('(NOT (`title` IS NOT NULL AND `title` = ?))');
    expect(compile(notInArray('title', ['a'])).sql).toBe('(`title` IS NOT NULL AND `title` NOT IN (?))');
  });

  it('checks the JSON type before comparing a metadata value, with the binary collation of the server', () => {
    const text = compile(eq('metadata.channel', 'web'));
    expect(text.sql).toContain(`JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)) <=> 'STRING'`);
    expect(text.sql).toContain('COLLATE utf8mb4_nopad_bin = ?');
    expect(compile(eq('metadata.channel', 'web'), mysql8).sql).toContain('COLLATE utf8mb4_0900_bin = ?');
    const number = compile(eq('metadata.n', 2.5));
    expect(number.sql).toContain(`IN ('INTEGER', 'UNSIGNED INTEGER', 'DOUBLE', 'DECIMAL')`);
    expect(number.params).toContain(2.5);
    const flag = compile(eq('metadata.flag', true));
    expect(flag.sql).toContain(`<=> 'BOOLEAN'`);
    expect(flag.params).toContain('true');
  });

  it('treats a missing path and JSON null alike for isNull', () => {
    expect(compile(isNull('metadata.channel')).sql).toBe(`(coalesce(JSON_TYPE(JSON_EXTRACT(\`metadata\`, ?)), 'NULL') = 'NULL')`);
  });

  it('binds timestamps as epoch milliseconds', () => {
    const compiled = compile(eq('updatedAt', new Date('2026-01-02T03:04:05.678Z')));
    expect(compiled.params).toEqual([BigInt(Date.parse('2026-01-02T03:04:05.678Z'))]);
  });

  it('writes constants for and(), or() and empty inArray', () => {
    expect(compile(and()).sql).toBe('TRUE');
    expect(compile(inArray('title', [])).sql).toBe('FALSE');
  });
});

describe('LIKE patterns', () => {
  it('escapes the escape character and the wildcards of literal text with !', () => {
    expect(sqlLikePattern(parseLikePattern('50\\%!_x%'), LIKE_ESCAPE, false)).toBe('50!%!!_x%');
    expect(sqlLikePattern(parseLikePattern('a\\_b_'), LIKE_ESCAPE, false)).toBe('a!_b_');
  });

  it('folds only ASCII letters for ilike, in the pattern and in SQL', () => {
    expect(sqlLikePattern(parseLikePattern('ÉTÉ Abc%'), LIKE_ESCAPE, true)).toBe('ÉtÉ abc%');
    const sql = asciiLowerSql('x');
    expect(sql).toContain(`REPLACE(x, 'A', 'a')`);
    expect(sql).toContain(`'Z', 'z')`);
    expect(sql).not.toContain('LOWER');
  });

  it('compiles like with the escape clause and ilike over the folded value', () => {
    expect(compile(like('title', 'a%')).sql).toBe(`(\`title\` IS NOT NULL AND \`title\` LIKE ? ESCAPE '!')`);
    expect(compile(ilike('title', 'A%')).params).toEqual(['a%']);
  });
});

describe('ORDER BY', () => {
  it('spells out nulls first ascending and last descending on nullable columns only', () => {
    const terms = resolveOrderBy(
      [
        { field: 'title', direction: 'asc' },
        { field: 'updatedAt', direction: 'desc' },
      ],
      SessionModel,
    );
    expect(compileOrderBy(terms, SessionModel, sqlDialect(mariadb))).toBe(
      ' ORDER BY (`title` IS NULL) DESC, `title` ASC, `updated_at` DESC, `user_id` ASC, `session_id` ASC',
    );
    const down = resolveOrderBy([{ field: 'title', direction: 'desc' }], SessionModel);
    expect(compileOrderBy(down, SessionModel, sqlDialect(mariadb))).toContain('(`title` IS NULL) ASC, `title` DESC');
  });

  it('leaves out columns the filter pins to one value, so an index can deliver the order', () => {
    const where = resolveFilter(and(eq('userId', 'u'), and(eq('status', 'active'), inArray('title', ['t']))), SessionModel);
    expect([...pinnedColumns(where)].sort()).toEqual(['status', 'title', 'user_id']);
    const terms = resolveOrderBy(
      [
        { field: 'updatedAt', direction: 'desc' },
        { field: 'sessionId', direction: 'desc' },
      ],
      SessionModel,
    );
    expect(compileOrderBy(terms, SessionModel, sqlDialect(mariadb), pinnedColumns(where))).toBe(' ORDER BY `updated_at` DESC, `session_id` DESC');
    // Only a top-level conjunction pins: under or/not/ne a column still varies.
    const loose = resolveFilter(and(or(eq('userId', 'u'), eq('userId', 'v')), not(eq('status', 'active')), inArray('title', ['a', 'b'])), SessionModel);
    expect(pinnedColumns(loose).size).toBe(0);
  });

  it('breaks ties by the primary key of messages', () => {
    expect(compileOrderBy(resolveOrderBy([], MessageModel), MessageModel, sqlDialect(mariadb))).toBe(' ORDER BY `user_id` ASC, `session_id` ASC, `seq` ASC');
  });
});
