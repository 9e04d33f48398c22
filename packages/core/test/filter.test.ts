import { describe, expect, it } from 'vitest';
import { and, eq, inArray, like, notInArray, parseFilter, ValidationError } from '../src/index.js';
import {
  asciiLowerCase,
  compareCodePoints,
  likeToRegExp,
  MessageModel,
  parseLikePattern,
  resolveFilter,
  resolveOrderBy,
  SessionModel,
} from '../src/engine/index.js';

describe('compareCodePoints', () => {
  it('orders by code point where UTF-16 units would not', () => {
    expect(compareCodePoints('\uE000', '\u{10000}')).toBe(-1);
    expect('\uE000' < '\u{10000}').toBe(false);
    expect(compareCodePoints('a', 'b')).toBe(-1);
    expect(compareCodePoints('B', 'a')).toBe(-1);
    expect(compareCodePoints('ab', 'a')).toBe(1);
    expect(compareCodePoints('😀', '😀')).toBe(0);
  });
});

describe('LIKE patterns', () => {
  it('parses wildcards and escapes', () => {
    expect(parseLikePattern('a%b_c\\%d\\_e\\\\f')).toEqual([
      { kind: 'literal', text: 'a' },
      { kind: 'any' },
      { kind: 'literal', text: 'b' },
      { kind: 'one' },
      { kind: 'literal', text: 'c%d_e\\f' },
    ]);
    expect(parseLikePattern('%%')).toEqual([{ kind: 'any' }]);
  });

  it('rejects a trailing lone backslash', () => {
    expect(() => parseLikePattern('abc\\')).toThrow(ValidationError);
  });

  it('matches one code point with _ and treats regex characters literally', () => {
    expect(likeToRegExp('_', false).test('😀')).toBe(true);
    expect(likeToRegExp('a.c', false).test('abc')).toBe(false);
    expect(likeToRegExp('(x)+[y]', false).test('(x)+[y]')).toBe(true);
    expect(likeToRegExp('%\n%', false).test('line\nbreak')).toBe(true);
  });

  it('folds ASCII letters only for ilike', () => {
    expect(asciiLowerCase('ÀBC Ünï')).toBe('Àbc Ünï');
  });
});

describe('resolveFilter', () => {
  it('resolves metadata paths and typed operands', () => {
    expect(resolveFilter(eq('metadata.plan.tier', 'pro'), SessionModel)).toEqual({
      kind: 'compare',
      op: 'eq',
      target: { kind: 'jsonPath', field: 'metadata', column: 'metadata', path: ['plan', 'tier'] },
      operand: { type: 'string', value: 'pro' },
    });
    expect(resolveFilter(eq('updatedAt', '2026-01-01T00:00:00Z'), SessionModel)).toMatchObject({
      operand: { type: 'timestamp', value: new Date('2026-01-01T00:00:00Z') },
    });
  });

  it('turns the empty cases into constants', () => {
    expect(resolveFilter(and(), SessionModel)).toEqual({ kind: 'constant', value: true });
    expect(resolveFilter({ op: 'or', filters: [] }, SessionModel)).toEqual({ kind: 'constant', value: false });
    expect(resolveFilter({ op: 'inArray', field: 'title', values: [] }, SessionModel)).toEqual({ kind: 'constant', value: false });
  });

  it('knows the fields of each model', () => {
    expect(() => resolveFilter(eq('role', 'user'), SessionModel)).toThrow(/unknown field "role"/);
    expect(() => resolveFilter(eq('role', 'user'), MessageModel)).not.toThrow();
    expect(() => resolveFilter(eq('role', 'robot'), MessageModel)).toThrow(/one of/);
  });

  it('points at the offending node', () => {
    const error = (() => {
      try {
        resolveFilter(and(eq('title', 'x'), { op: 'eq', field: 'title', value: 3 } as never), SessionModel);
      } catch (caught) {
        return caught as ValidationError;
      }
    })();
    expect(error?.path).toBe('where.filters[1].value');
  });

  it('parses JSON text and rejects what is not a filter', () => {
    expect(parseFilter('{"op":"like","field":"title","value":"a%"}')).toEqual(like('title', 'a%'));
    expect(() => parseFilter('{"op":')).toThrow(/not valid JSON/);
    expect(() => parseFilter({ op: 'eq', field: '__proto__', value: 1 })).toThrow(ValidationError);
    expect(() => parseFilter({ op: 'eq', field: 'constructor', value: 1 })).toThrow(ValidationError);
    // a stray key is a mistake (a value on isNull, "value" where "values" was meant), not something to ignore
    expect(() => parseFilter({ op: 'isNull', field: 'title', value: 'x' })).toThrow(/isNull takes "field", not "value"/);
    expect(() => parseFilter({ op: 'inArray', field: 'title', values: ['a'], value: 'b' })).toThrow(ValidationError);
    expect(() => parseFilter({ op: 'and', filter: [] })).toThrow(ValidationError);
  });

  it('parses filters on messages by model name, and refuses an unknown model with ValidationError', () => {
    expect(parseFilter('{"op":"eq","field":"role","value":"user"}', 'messages')).toEqual(eq('role', 'user'));
    expect(() => parseFilter('{"op":"eq","field":"role","value":"user"}', 'sessions')).toThrow(ValidationError);
    expect(() => parseFilter('{"op":"eq","field":"role","value":"user"}', 'nope' as 'messages')).toThrow(/unknown model "nope"/);
  });
});

describe('resolveOrderBy', () => {
  it('appends the primary key as tie-breaker and drops repeated fields', () => {
    expect(
      resolveOrderBy(
        [
          { field: 'updatedAt', direction: 'desc' },
          { field: 'updatedAt', direction: 'asc' },
        ],
        SessionModel,
      ).map((t) => `${t.field}:${t.direction}`),
    ).toEqual(['updatedAt:desc', 'userId:asc', 'sessionId:asc']);
  });
});

describe('filter builders', () => {
  it('refuse a string or nothing where a list of values belongs', () => {
    expect(() => inArray('title', 'abc' as never)).toThrow(/inArray\("title", values\) needs an array of values, got a string/);
    expect(() => notInArray('title', undefined as never)).toThrow(ValidationError);
    expect(inArray('title', ['a', 'b'])).toEqual({ op: 'inArray', field: 'title', values: ['a', 'b'] });
  });
});
