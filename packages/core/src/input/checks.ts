import { ValidationError } from '../errors.js';
import { assertJsonObject, describeType, type JsonObject } from '../json.js';
import { assertCount, assertDate, assertDuration, assertId, assertOptionalText } from '../validate.js';
import type { Check } from './shape.js';

/** The value as given: for keys whose value another layer checks (the engine checks records). */
export const anything: Check<unknown> = (value) => value;

export function optional<T>(check: Check<T>): Check<T | undefined> {
  return (value, path) => (value === undefined ? undefined : check(value, path));
}

export function nullable<T>(check: Check<T>): Check<T | null> {
  return (value, path) => (value === null ? null : check(value, path));
}

function fromAssert<T>(assert: (value: unknown, path: string) => void): Check<T> {
  return (value, path) => {
    assert(value, path);
    return value as T;
  };
}

export const id: Check<string> = fromAssert(assertId);
export const duration: Check<number> = fromAssert(assertDuration);
export const date: Check<Date> = fromAssert(assertDate);
export const jsonObject: Check<JsonObject> = fromAssert(assertJsonObject);

/** A whole number from `min`, and at most `max` (with `tooMany` saying why) when given. */
export function count(min = 0, max?: { value: number; message: string }): Check<number> {
  return (value, path) => {
    assertCount(value, path, { min });
    if (max && value > max.value) throw new ValidationError(max.message, { path });
    return value;
  };
}

export function text(maxLength: number): Check<string | null> {
  return (value, path) => {
    assertOptionalText(value, path, maxLength);
    return value;
  };
}

export const boolean: Check<boolean> = (value, path) => {
  if (typeof value !== 'boolean') throw new ValidationError(`must be true or false, got ${describeType(value)}`, { path });
  return value;
};

/** Duck-typed, so a signal from another realm (a test runner's, a polyfill's) is accepted too. */
export const signal: Check<AbortSignal> = (value, path) => {
  const candidate = value as Partial<AbortSignal> | null;
  if (
    typeof candidate !== 'object' ||
    candidate === null ||
    typeof candidate.aborted !== 'boolean' ||
    typeof candidate.addEventListener !== 'function' ||
    typeof candidate.throwIfAborted !== 'function'
  ) {
    throw new ValidationError(`must be an AbortSignal, got ${describeType(value)}`, { path });
  }
  return value as AbortSignal;
};

export function oneOf<const T extends readonly string[]>(values: T): Check<T[number]> {
  return (value, path) => {
    if (!values.includes(value as string)) {
      throw new ValidationError(`must be ${values.map((v) => `'${v}'`).join(' or ')}, got ${describeType(value)}`, { path });
    }
    return value as T[number];
  };
}

/** A check with its own message, for values whose rule is easier said than composed. */
export function rule<T>(holds: (value: unknown) => boolean, message: string): Check<T> {
  return (value, path) => {
    if (!holds(value)) throw new ValidationError(`${message}, got ${describeType(value)}`, { path });
    return value as T;
  };
}
