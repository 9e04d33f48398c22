import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, newSessionId, ValidationError } from '../src/index.js';
import { applyMergePatch, assertDate, assertJson, cloneJson, ulid, utf8Length } from '../src/engine/index.js';

describe('ulid', () => {
  it('is 26 Crockford base32 characters and strictly increasing within a process', () => {
    const ids = Array.from({ length: 5_000 }, () => ulid());
    expect(ids.every((id) => /^[0-9A-HJKMNP-TV-Z]{26}$/.test(id))).toBe(true);
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
  });

  it('sorts by time across milliseconds', () => {
    expect(ulid(1_000) < ulid(2_000)).toBe(true);
    expect(newSessionId()).toMatch(/^sess_/);
  });
});

describe('assertJson', () => {
  it('accepts plain JSON and rejects everything else with a path', () => {
    expect(() => assertJson({ a: [1, 'x', null, true, { b: -0.5 }] }, 'value')).not.toThrow();
    const cases: Array<[unknown, RegExp]> = [
      [{ a: undefined }, /value\.a/],
      [{ d: new Date() }, /Date/],
      [{ m: new Map() }, /Map/],
      [[Number.NaN], /finite/],
      [{ s: '\u0000' }, /NUL/],
      [{ ['\ud800']: 1 }, /surrogate/],
    ];
    for (const [value, message] of cases) expect(() => assertJson(value, 'value')).toThrow(message);
    const nested = (levels: number) => JSON.parse('['.repeat(levels) + ']'.repeat(levels)) as unknown;
    expect(() => assertJson(nested(100), 'value')).toThrow(ValidationError);
    // the most every backend stores (MariaDB refuses a 32nd level), and not one level more
    expect(() => assertJson(nested(MAX_JSON_DEPTH), 'value')).not.toThrow();
    expect(() => assertJson(nested(MAX_JSON_DEPTH + 1), 'value')).toThrow(/nested deeper than 31/);
  });

  it('counts UTF-8 bytes', () => {
    expect(utf8Length('aé€😀')).toBe(1 + 2 + 3 + 4);
  });
});

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, removes keys with null and replaces arrays', () => {
    const target = { a: 1, b: { c: 2, d: 3 }, list: [1, 2] };
    expect(applyMergePatch(target, { b: { c: null, e: 4 }, list: [3], z: 'new' })).toEqual({ a: 1, b: { d: 3, e: 4 }, list: [3], z: 'new' });
    expect(target).toEqual({ a: 1, b: { c: 2, d: 3 }, list: [1, 2] });
  });
});

describe('values every backend stores alike', () => {
  it('accepts timestamps from year 1 to 9999 only', () => {
    expect(() => assertDate(new Date('0001-01-01T00:00:00.000Z'), 'at')).not.toThrow();
    expect(() => assertDate(new Date('9999-12-31T23:59:59.999Z'), 'at')).not.toThrow();
    expect(() => assertDate(new Date('+010000-01-01T00:00:00.000Z'), 'at')).toThrow(/years 1 and 9999/);
    expect(() => assertDate(new Date(-62_198_755_200_000), 'at')).toThrow(ValidationError);
  });

  it('keeps a "__proto__" key as data, as JSON text stores do', () => {
    const parsed = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = cloneJson(parsed as never) as Record<string, unknown>;
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    const merged = applyMergePatch({}, parsed as never);
    expect(Object.keys(merged)).toEqual(['__proto__', 'a']);
  });

  it('turns negative zero into zero, as JSON text does', () => {
    expect(Object.is(cloneJson({ n: -0 })['n'], 0)).toBe(true);
    expect(Object.is(cloneJson([-0])[0], 0)).toBe(true);
  });
});
