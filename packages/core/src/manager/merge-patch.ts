import { cloneJson, isPlainObject, setOwn, type JsonObject, type JsonValue } from '../json.js';

/**
 * Applies a JSON Merge Patch (RFC 7386): objects merge key by key, `null` removes a key,
 * anything else replaces. Returns a new object; neither input is changed.
 */
export function applyMergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result: JsonObject = cloneJson(target);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete result[key];
    } else if (isPlainObject(value)) {
      const existing = Object.hasOwn(result, key) ? result[key] : undefined;
      setOwn(result, key, applyMergePatch(isPlainObject(existing) ? existing : {}, value));
    } else {
      setOwn(result, key, cloneJson(value as JsonValue));
    }
  }
  return result;
}
