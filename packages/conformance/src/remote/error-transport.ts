import * as core from '@sessions/core';

/** An error as it crosses the process boundary: its class by name and its own fields. */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function serializeError(error: unknown): SerializedError {
  if (!(error instanceof Error)) return { name: 'Error', message: String(error), stack: undefined, fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(error)) fields[field] = cloneable(value);
  if (error.cause !== undefined) fields['cause'] = cloneable(error.cause);
  return { name: error.name, message: error.message, stack: error.stack, fields };
}

/**
 * Rebuilds the error with the `@sessions/core` class of the same name, so a test in the parent
 * can check `toBeInstanceOf(LockHeldError)` on what the child's engine threw.
 */
export function deserializeError(serialized: SerializedError, where: string): Error {
  const ErrorClass = errorClass(serialized.name);
  const error = Object.create(ErrorClass.prototype) as Error;
  Object.defineProperty(error, 'message', { value: serialized.message, writable: true, configurable: true });
  Object.assign(error, serialized.fields);
  Object.defineProperty(error, 'name', { value: serialized.name, writable: true, configurable: true });
  Object.defineProperty(error, 'stack', { value: `${serialized.stack ?? serialized.message}\n    (thrown ${where})`, writable: true, configurable: true });
  return error;
}

function errorClass(name: string): new (...args: never[]) => Error {
  const candidate = (core as Record<string, unknown>)[name];
  if (typeof candidate === 'function' && (candidate === core.SessionsError || candidate.prototype instanceof core.SessionsError)) {
    return candidate as new (...args: never[]) => Error;
  }
  const builtin = (globalThis as Record<string, unknown>)[name];
  if (typeof builtin === 'function' && (builtin === Error || builtin.prototype instanceof Error)) return builtin as new (...args: never[]) => Error;
  return Error;
}

/** Driver errors can hold sockets or functions; only what survives structured cloning crosses. */
function cloneable(value: unknown): unknown {
  if (value instanceof Error) return serializeError(value);
  try {
    structuredClone(value);
    return value;
  } catch {
    return String(value);
  }
}
