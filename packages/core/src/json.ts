import { ValidationError } from './errors.js';

/** A JSON scalar. */
export type JsonPrimitive = string | number | boolean | null;
/** Any JSON value: what metadata, state and message content hold. */
export type JsonValue = JsonPrimitive | JsonValue[] | { [key: string]: JsonValue };
/** A JSON object: session metadata and state. */
export type JsonObject = { [key: string]: JsonValue };

export interface JsonCheckOptions {
  /** Deepest nesting accepted; deeper (or cyclic) values are rejected. */
  readonly maxDepth: number;
}

/**
 * 31 nested arrays or objects, the root included: the most every backend stores (MariaDB's JSON
 * functions refuse a 32nd level), so a value accepted on one backend moves to any other.
 */
export const MAX_JSON_DEPTH = 31;

const DEFAULT_CHECK: JsonCheckOptions = { maxDepth: MAX_JSON_DEPTH };

/**
 * Throws a `ValidationError` unless `value` is plain JSON that every backend can store
 * and give back unchanged: no `undefined`, functions, symbols, bigints, class instances
 * (Dates included), non-finite numbers, cycles, NUL characters or lone surrogates.
 */
export function assertJson(value: unknown, path: string, options: JsonCheckOptions = DEFAULT_CHECK): asserts value is JsonValue {
  checkJson(value, path, 0, options.maxDepth, []);
}

export function assertJsonObject(value: unknown, path: string, options: JsonCheckOptions = DEFAULT_CHECK): asserts value is JsonObject {
  if (!isPlainObject(value)) {
    throw new ValidationError(`must be a plain JSON object, got ${describeType(value)}`, { path });
  }
  checkJson(value, path, 0, options.maxDepth, []);
}

function checkJson(value: unknown, path: string, depth: number, maxDepth: number, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
      assertStorableString(value, path);
      return;
    case 'number':
      if (!Number.isFinite(value)) throw new ValidationError(`${value} is not a JSON number (use a finite number)`, { path });
      return;
    case 'boolean':
      return;
    case 'object': {
      if (value === null) return;
      if (ancestors.includes(value)) throw new ValidationError('is a cyclic structure, which JSON cannot represent', { path });
      if (depth >= maxDepth)
        throw new ValidationError(`is nested deeper than ${maxDepth} levels of arrays and objects, the most every backend can store`, { path });
      ancestors.push(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkJson(value[i], `${path}[${i}]`, depth + 1, maxDepth, ancestors);
      } else if (isPlainObject(value)) {
        for (const key of Object.keys(value)) {
          assertStorableString(key, `${path} key ${JSON.stringify(key)}`);
          checkJson(value[key], `${path}.${key}`, depth + 1, maxDepth, ancestors);
        }
      } else {
        throw new ValidationError(`${describeType(value)} is not JSON: convert it first (e.g. a Date to an ISO string)`, { path });
      }
      ancestors.pop();
      return;
    }
    default:
      throw new ValidationError(`${describeType(value)} is not a JSON value`, { path });
  }
}

/** Strings are stored as UTF-8 everywhere; NUL and lone surrogates cannot be, on every backend. */
export function assertStorableString(value: string, path: string): void {
  if (value.includes('\u0000')) throw new ValidationError('contains a NUL character (U+0000), which cannot be stored', { path });
  if (!value.isWellFormed()) throw new ValidationError('contains a lone UTF-16 surrogate, which is not valid Unicode', { path });
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function describeType(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') {
    const proto: unknown = Object.getPrototypeOf(value);
    // What `{ __proto__: {...} }` in an object literal makes: the key became the prototype, not data.
    if (proto !== Object.prototype && proto !== null && Object.getPrototypeOf(proto) === Object.prototype && value.constructor === Object) {
      return 'an object with a custom prototype (a "__proto__" key in an object literal sets the prototype; build it with JSON.parse or Object.defineProperty)';
    }
    const name = value.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : 'an object';
  }
  return `a ${typeof value}`;
}

/** A deep copy of validated JSON, so callers never share objects with a store. */
export function cloneJson<T extends JsonValue>(value: T): T {
  // JSON text has no negative zero: every store that keeps JSON as text gives back 0.
  if (typeof value === 'number') return (Object.is(value, -0) ? 0 : value) as T;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item) => cloneJson(item)) as T;
  const copy: JsonObject = {};
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- tsc needs it: T narrowed by typeof is not indexable
  for (const key of Object.keys(value)) setOwn(copy, key, cloneJson((value as JsonObject)[key] as JsonValue));
  return copy as T;
}

/**
 * Sets an own property, also for the key `"__proto__"` (which `JSON.parse` produces as data):
 * plain assignment would change the object's prototype instead and silently drop the key.
 */
export function setOwn(target: JsonObject, key: string, value: JsonValue): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Byte length of a string once encoded as UTF-8, without allocating the encoding. */
export function utf8Length(value: string): number {
  let bytes = 0;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}
