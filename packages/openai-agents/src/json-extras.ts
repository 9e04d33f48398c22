import { type JsonValue } from '@sessions/core';
import { assertJson, isPlainObject } from '@sessions/core/engine';

/** Where a value sits inside an item: object keys and array indexes, outermost first. */
export type ValuePath = (string | number)[];

/**
 * An item as plain JSON, plus where it held the two non-JSON values the Agents SDK uses
 * (and its own in-memory session keeps): byte arrays (image and file data) and properties
 * explicitly set to `undefined`. Recording their paths, rather than tagging the values,
 * keeps every JSON value of the item unambiguous: no string or object can be mistaken
 * for an encoded one.
 */
export interface JsonWithExtras {
  readonly json: JsonValue;
  /** Paths of `Uint8Array` values, stored as base64 strings. */
  readonly bytes: ValuePath[];
  /** Paths of `undefined` values: omitted from objects, `null` in arrays. */
  readonly undefinedAt: ValuePath[];
}

/** Converts `value` to JSON, recording its byte arrays and undefined values; `ValidationError` for anything else that is not JSON. */
export function toJsonWithExtras(value: unknown, path: string): JsonWithExtras {
  const bytes: ValuePath[] = [];
  const undefinedAt: ValuePath[] = [];
  const json = convert(value, [], bytes, undefinedAt, new Set());
  assertJson(json, path);
  return { json, bytes, undefinedAt };
}

function convert(value: unknown, at: ValuePath, bytes: ValuePath[], undefinedAt: ValuePath[], ancestors: Set<object>): JsonValue {
  if (value instanceof Uint8Array) {
    bytes.push(at);
    return toBase64(value);
  }
  if (typeof value !== 'object' || value === null) return value as JsonValue;
  // A cycle is left in place for assertJson to report with its path.
  if (ancestors.has(value)) return value as JsonValue;
  ancestors.add(value);
  try {
    if (Array.isArray(value)) {
      return value.map((element, index) => {
        if (element !== undefined) return convert(element, [...at, index], bytes, undefinedAt, ancestors);
        undefinedAt.push([...at, index]);
        return null;
      });
    }
    if (!isPlainObject(value)) return value as JsonValue;
    const out: { [key: string]: JsonValue } = {};
    for (const key of Object.keys(value)) {
      const element = value[key];
      if (element === undefined) undefinedAt.push([...at, key]);
      else out[key] = convert(element, [...at, key], bytes, undefinedAt, ancestors);
    }
    return out;
  } finally {
    ancestors.delete(value);
  }
}

/** Puts back what `toJsonWithExtras` recorded, in place, and returns the value. */
export function restoreExtras(json: JsonValue, bytes: readonly ValuePath[], undefinedAt: readonly ValuePath[]): unknown {
  let root: unknown = json;
  for (const path of bytes) root = setAt(root, path, (current) => (typeof current === 'string' ? fromBase64(current) : current));
  for (const path of undefinedAt) root = setAt(root, path, () => undefined);
  return root;
}

function setAt(root: unknown, path: readonly (string | number)[], update: (current: unknown) => unknown): unknown {
  if (path.length === 0) return update(root);
  let parent: unknown = root;
  for (const segment of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return root;
    parent = (parent as Record<string | number, unknown>)[segment];
  }
  if (typeof parent !== 'object' || parent === null) return root;
  const last = path[path.length - 1]!;
  (parent as Record<string | number, unknown>)[last] = update((parent as Record<string | number, unknown>)[last]);
  return root;
}

// atob/btoa rather than Buffer: the Agents SDK also runs outside Node.
function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** A well-formed list of value paths, as read back from storage. */
export function isValuePathList(value: unknown): value is ValuePath[] {
  return (
    Array.isArray(value) && value.every((path) => Array.isArray(path) && path.every((segment) => typeof segment === 'string' || typeof segment === 'number'))
  );
}
