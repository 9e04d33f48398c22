import { describe, expect, it } from 'vitest';
import { and, asc, desc, eq, gt, gte, ilike, inArray, isNotNull, isNull, like, lt, lte, ne, not, notInArray, or, type Filter } from '../src/index.js';
import { MessageModel, parseLikePattern, resolveFilter, resolveOrderBy, SessionModel } from '../src/engine/index.js';
import { compileFilter, compileOrderBy, quotedJsonPath, sqlLikePattern, type SqlDialect } from '../src/sql.js';

/** A dialect whose every hook writes something recognisable, so the tests see what the compiler asks of it. */
function fakeDialect(placeholders: 'numbered' | 'question', overrides: Partial<SqlDialect> = {}): SqlDialect {
  return {
    true: 'T',
    false: 'F',
    quoteIdentifier: (name) => `[${name}]`,
    placeholder: (index) => (placeholders === 'numbered' ? `$${index}` : '?'),
    operand: (operand, target, bind) => {
      const value = operand.type === 'timestamp' ? operand.value.getTime() : operand.value;
      return `${target.kind === 'column' ? 'col' : 'json'}:${bind(value)}`;
    },
    jsonType: (target, bind) => `TYPE([${target.column}], ${bind(target.path.join('.'))})`,
    jsonNull: 'nil',
    jsonTyped: (target, type, test, bind) => `(IS_${type}([${target.column}], ${bind(target.path.join('.'))}) AND ${test('VALUE')})`,
    like: (value, filter, bind) => {
      const pattern = bind(sqlLikePattern(filter.tokens, '!', filter.caseInsensitive));
      return `${filter.caseInsensitive ? `FOLD(${value})` : value} LIKE ${pattern}`;
    },
    ...overrides,
  };
}

const numbered = fakeDialect('numbered');
const compile = (filter: Filter, dialect: SqlDialect = numbered) => compileFilter(resolveFilter(filter, SessionModel), SessionModel, dialect);
const AT = new Date('2024-01-02T03:04:05.006Z');

describe('compileFilter', () => {
  it('writes each comparison operator on a column, with the operand the dialect writes', () => {
    expect(compile(eq('userId', 'u'))).toEqual({ sql: '([user_id] = col:$1)', params: ['u'] });
    expect(compile(ne('status', 'active')).sql).toBe('([status] <> col:$1)');
    expect(compile(gt('messageCount', 1)).sql).toBe('([message_count] > col:$1)');
    expect(compile(gte('messageCount', 1)).sql).toBe('([message_count] >= col:$1)');
    expect(compile(lt('updatedAt', AT))).toEqual({ sql: '([updated_at] < col:$1)', params: [AT.getTime()] });
    expect(compile(lte('updatedAt', AT)).sql).toBe('([updated_at] <= col:$1)');
  });

  it('guards a nullable column so a comparison with NULL is false, never unknown', () => {
    expect(compile(eq('title', 'a')).sql).toBe('([title] IS NOT NULL AND [title] = col:$1)');
    expect(compile(like('title', 'a%')).sql).toBe('([title] IS NOT NULL AND [title] LIKE $1)');
    expect(compile(notInArray('title', ['a', 'b']))).toEqual({ sql: '([title] IS NOT NULL AND [title] NOT IN (col:$1, col:$2))', params: ['a', 'b'] });
  });

  it('tests null on columns directly and on paths through the JSON type, a missing path counting as null', () => {
    expect(compile(isNull('title'))).toEqual({ sql: '([title] IS NULL)', params: [] });
    expect(compile(isNotNull('expiresAt')).sql).toBe('([expires_at] IS NOT NULL)');
    expect(compile(isNull('metadata.a.b'))).toEqual({ sql: "(coalesce(TYPE([metadata], $1), 'nil') = 'nil')", params: ['a.b'] });
    expect(compile(isNotNull('metadata.a')).sql).toBe("(coalesce(TYPE([metadata], $1), 'nil') <> 'nil')");
  });

  it('hands comparisons, like and in on a path to jsonTyped with the operand type', () => {
    expect(compile(gt('metadata.n', 2))).toEqual({ sql: '(IS_number([metadata], $1) AND VALUE > json:$2)', params: ['n', 2] });
    expect(compile(eq('metadata.s', 'x')).sql).toBe('(IS_string([metadata], $1) AND VALUE = json:$2)');
    expect(compile(ne('metadata.b', true)).sql).toBe('(IS_boolean([metadata], $1) AND VALUE <> json:$2)');
    expect(compile(ilike('metadata.s', 'A%'))).toEqual({ sql: '(IS_string([metadata], $1) AND FOLD(VALUE) LIKE $2)', params: ['s', 'a%'] });
    expect(compile(inArray('metadata.n', [1, 2])).sql).toBe('(IS_number([metadata], $1) AND VALUE IN (json:$2, json:$3))');
  });

  it('lets a dialect write its own JSON comparison or list, and falls back to jsonTyped when it declines', () => {
    const dialect = fakeDialect('numbered', {
      jsonCompare: (target, op, operand, bind) => (op === 'eq' ? `CONTAINS([${target.column}], ${bind(operand.value)})` : undefined),
      jsonIn: (_target, operands) => (operands[0]!.type === 'boolean' ? 'BOOLS' : undefined),
      in: (value, operands, negated, _target, bind) => `${negated ? 'NOT ' : ''}${value} = ANY(${bind(operands.map((operand) => operand.value))})`,
    });
    expect(compile(eq('metadata.a', 'x'), dialect)).toEqual({ sql: 'CONTAINS([metadata], $1)', params: ['x'] });
    expect(compile(ne('metadata.a', 'x'), dialect).sql).toBe('(IS_string([metadata], $1) AND VALUE <> json:$2)');
    expect(compile(inArray('metadata.flag', [true]), dialect).sql).toBe('BOOLS');
    expect(compile(notInArray('metadata.n', [1]), dialect)).toEqual({ sql: '(IS_number([metadata], $1) AND NOT VALUE = ANY($2))', params: ['n', [1]] });
    expect(compile(inArray('sessionId', ['a', 'b']), dialect)).toEqual({ sql: '([session_id] = ANY($1))', params: [['a', 'b']] });
  });

  it('nests and, or and not in parentheses, and writes constants with the dialect', () => {
    const filter = or(and(eq('userId', 'u'), not(isNull('title'))), not(or(gt('messageCount', 0), isNull('metadata.x'))));
    expect(compile(filter)).toEqual({
      sql: "((([user_id] = col:$1) AND (NOT ([title] IS NULL))) OR (NOT (([message_count] > col:$2) OR (coalesce(TYPE([metadata], $3), 'nil') = 'nil'))))",
      params: ['u', 0, 'x'],
    });
    expect(compile(and()).sql).toBe('T');
    expect(compile(or()).sql).toBe('F');
    expect(compile(inArray('title', [])).sql).toBe('F');
    expect(compile(not(and())).sql).toBe('(NOT T)');
  });

  it('numbers placeholders from 1, or from after the values a statement already bound', () => {
    const filter = and(eq('userId', 'u'), gt('metadata.n', 1), like('title', 'x%'));
    expect(compile(filter).sql).toBe(
      '(([user_id] = col:$1) AND (IS_number([metadata], $2) AND VALUE > json:$3) AND ([title] IS NOT NULL AND [title] LIKE $4))',
    );
    const params: unknown[] = ['already bound'];
    const compiled = compileFilter(resolveFilter(eq('userId', 'u'), SessionModel), SessionModel, numbered, params);
    expect(compiled).toEqual({ sql: '([user_id] = col:$2)', params: ['already bound', 'u'] });
    expect(compiled.params).toBe(params);
  });

  it('writes `?` placeholders with the values in the order they appear in the text', () => {
    const compiled = compile(and(eq('userId', 'u'), gt('metadata.n', 1), inArray('status', ['active', 'archived'])), fakeDialect('question'));
    expect(compiled.sql).toBe('(([user_id] = col:?) AND (IS_number([metadata], ?) AND VALUE > json:?) AND ([status] IN (col:?, col:?)))');
    expect(compiled.params).toEqual(['u', 'n', 1, 'active', 'archived']);
  });
});

describe('sqlLikePattern', () => {
  it('writes the wildcards and escapes %, _ and the escape character in literal text', () => {
    expect(sqlLikePattern(parseLikePattern('a%b_c'), '!', false)).toBe('a%b_c');
    expect(sqlLikePattern(parseLikePattern('50\\%!_x\\_'), '!', false)).toBe('50!%!!_x!_');
    expect(sqlLikePattern(parseLikePattern('back\\\\slash %'), '\\', false)).toBe('back\\\\slash %');
  });

  it('folds only ASCII letters of the literals for ilike', () => {
    expect(sqlLikePattern(parseLikePattern('ÉTÉ Abc%'), '!', true)).toBe('ÉtÉ abc%');
  });
});

describe('quotedJsonPath', () => {
  it('quotes every member name, so a digit is a key and never an array index', () => {
    expect(quotedJsonPath(['plan', '0', 'a-b_c'])).toBe('$."plan"."0"."a-b_c"');
  });

  it('refuses a segment core would never resolve', () => {
    expect(() => quotedJsonPath(['a"b'])).toThrow(TypeError);
    expect(() => quotedJsonPath(['a.b'])).toThrow(TypeError);
  });
});

describe('compileOrderBy', () => {
  it('spells out nulls first ascending and last descending on nullable columns only', () => {
    const terms = resolveOrderBy([asc('title'), desc('expiresAt'), desc('updatedAt')], SessionModel);
    expect(compileOrderBy(terms, SessionModel, numbered)).toBe(
      ' ORDER BY [title] ASC NULLS FIRST, [expires_at] DESC NULLS LAST, [updated_at] DESC, [user_id] ASC, [session_id] ASC',
    );
  });

  it("uses the dialect's own form for nullable columns when it has one", () => {
    const dialect = fakeDialect('question', { orderNullable: (column, direction) => `${column} ${direction} NULLS-${direction === 'asc' ? 'LOW' : 'HIGH'}` });
    const terms = resolveOrderBy([desc('title')], SessionModel);
    expect(compileOrderBy(terms, SessionModel, dialect)).toBe(' ORDER BY [title] desc NULLS-HIGH, [user_id] ASC, [session_id] ASC');
  });

  it('leaves out pinned columns, and writes nothing when no term is left', () => {
    const terms = resolveOrderBy([], MessageModel);
    expect(compileOrderBy(terms, MessageModel, numbered, new Set(['user_id', 'session_id']))).toBe(' ORDER BY [seq] ASC');
    expect(compileOrderBy(terms, MessageModel, numbered, new Set(['user_id', 'session_id', 'seq']))).toBe('');
    expect(compileOrderBy([], MessageModel, numbered)).toBe('');
  });
});
