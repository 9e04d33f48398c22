import { ValidationError } from '../errors.js';
import { describeType, isPlainObject } from '../json.js';

/**
 * Checks an options object and refuses keys it does not know: a misspelt option (`{ leas: lease }`,
 * `{ wher: filter }`, `{ uptoSeq: 2 }`) would otherwise be dropped silently and the call would do
 * something else than asked, such as an unfenced write or a listing of everything. A key set to
 * `undefined` counts as absent, so spreading optional values stays easy.
 */
export function assertOptionKeys(value: unknown, allowed: readonly string[], path: string): void {
  if (!isPlainObject(value)) throw new ValidationError(`expected an options object, got ${describeType(value)}`, { path });
  for (const key of Object.keys(value)) {
    if (value[key] !== undefined && !allowed.includes(key)) {
      throw new ValidationError(`unknown option ${JSON.stringify(key)}; the options are ${allowed.join(', ')}`, { path });
    }
  }
}

export function assertOptionalBoolean(value: unknown, path: string): asserts value is boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new ValidationError(`must be true or false, got ${describeType(value)}`, { path });
}

/** Duck-typed, so a signal from another realm (a test runner's, a polyfill's) is accepted too. */
export function assertOptionalSignal(value: unknown, path: string): asserts value is AbortSignal | undefined {
  if (value === undefined) return;
  const signal = value as Partial<AbortSignal> | null;
  if (typeof signal !== 'object' || signal === null || typeof signal.aborted !== 'boolean' || typeof signal.addEventListener !== 'function' || typeof signal.throwIfAborted !== 'function') {
    throw new ValidationError(`must be an AbortSignal, got ${describeType(value)}`, { path });
  }
}
