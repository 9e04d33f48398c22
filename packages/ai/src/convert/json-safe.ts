import { ValidationError, type JsonValue } from '@sessions/core';

/**
 * Plain JSON for a value the AI SDK types as `unknown` or `JSONValue` (tool inputs and
 * outputs, provider options, UI metadata): what `JSON.stringify` would send to a provider.
 * Keys whose value is `undefined` disappear, Dates become ISO strings; cycles and BigInts are
 * a `ValidationError`. Plain JSON goes through unchanged, so JSON round-trips exactly.
 */
export function toJsonValue(value: unknown, path: string): JsonValue {
  if (value === undefined) throw new ValidationError('is undefined, which JSON cannot store', { path });
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (cause) {
    throw new ValidationError(`cannot be stored as JSON: ${(cause as Error).message}`, { path, cause });
  }
  if (text === undefined) throw new ValidationError(`is a ${typeof value}, which JSON cannot store`, { path });
  return JSON.parse(text) as JsonValue;
}

/** A copy of `value` without the keys whose value is `undefined` (shallow). */
export function withoutUndefined<T extends object>(value: T): T {
  const copy = {} as T;
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] !== undefined) copy[key] = value[key];
  }
  return copy;
}

/** Deep equality of JSON values; object key order is not significant (stores may reorder keys). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, i) => jsonEqual(item, other[i]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = Object.keys(left);
  if (keys.length !== Object.keys(right).length) return false;
  return keys.every((key) => Object.hasOwn(right, key) && jsonEqual(left[key], right[key]));
}
