import { ValidationError, type SessionKey, type SessionManager } from '@sessions/core';
import { describeType, isPlainObject } from '@sessions/core/engine';

// By shape and code, not class: an application may end up with two copies of @sessions/core.
const MANAGER_METHODS = ['run', 'create', 'getOrCreate', 'get', 'delete', 'messages', 'append', 'truncate', 'clear', 'fork', 'import'] as const;

export function isSessionManager(value: unknown): value is SessionManager {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return MANAGER_METHODS.every((method) => typeof candidate[method] === 'function') && typeof candidate['limits'] === 'object' && candidate['limits'] !== null;
}

export function assertSessionManager(value: unknown, path: string): asserts value is SessionManager {
  if (!isSessionManager(value)) throw new ValidationError('must be a SessionManager from @sessions/core', { path });
}

/** A `{ userId, sessionId }` object; the ids themselves are checked by the manager. */
export function assertSessionKey(value: unknown, path: string): asserts value is SessionKey {
  if (!isPlainObject(value)) throw new ValidationError(`expected { userId, sessionId }, got ${describeType(value)}`, { path });
}
