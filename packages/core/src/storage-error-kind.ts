/**
 * What went wrong in a `StorageError`, told without knowing the driver, so an application (or the
 * CLI) can choose an exit code, a retry or a message by `error.kind`:
 *
 * - `unreachable`: no connection to the server (refused, unknown host, connection lost).
 * - `auth`: the server refused the login (user name or password).
 * - `missing`: the database, file or directory the URL names does not exist.
 * - `timeout`: the server did not answer within the engine's time limits.
 * - `conflict`: the server gave up a transaction for a concurrent one (deadlock, serialization
 *   failure, a busy file); running the call again may succeed.
 * - `full`: the disk or a quota is full.
 * - `permission`: the store (a file, a database object) may not be read or written.
 * - `corrupt`: what is stored is not a valid store.
 * - `unknown`: anything else; the driver's error is the `cause`.
 */
export type StorageErrorKind = 'unreachable' | 'auth' | 'missing' | 'timeout' | 'conflict' | 'full' | 'permission' | 'corrupt' | 'unknown';

/** Every `StorageErrorKind`, in the order documented there. */
export const STORAGE_ERROR_KINDS: readonly StorageErrorKind[] = Object.freeze([
  'unreachable',
  'auth',
  'missing',
  'timeout',
  'conflict',
  'full',
  'permission',
  'corrupt',
  'unknown',
]);

// Operating-system error codes, the same under every driver (Node's `error.code`). Driver-specific
// codes (SQLSTATEs, MySQL errnos, SQLite result codes) are classified by each adapter.
const SYSTEM_CODES: Readonly<Record<string, StorageErrorKind>> = Object.freeze({
  ECONNREFUSED: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ECONNRESET: 'unreachable',
  EPIPE: 'unreachable',
  ETIMEDOUT: 'timeout',
  ENOSPC: 'full',
  EDQUOT: 'full',
  EACCES: 'permission',
  EPERM: 'permission',
  EROFS: 'permission',
  ENOENT: 'missing',
  ENOTDIR: 'missing',
});

/**
 * The kind an operating-system error code in `error` or its causes (and inside AggregateErrors,
 * as a multi-address connect throws) names, or undefined when none does.
 */
export function systemErrorKind(error: unknown): StorageErrorKind | undefined {
  const queue: unknown[] = [error];
  for (let seen = 0; queue.length > 0 && seen < 32; seen++) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null) continue;
    const { code, cause, errors } = current as { code?: unknown; cause?: unknown; errors?: unknown };
    if (typeof code === 'string' && Object.hasOwn(SYSTEM_CODES, code)) return SYSTEM_CODES[code];
    if (cause !== undefined) queue.push(cause);
    if (Array.isArray(errors)) queue.push(...errors);
  }
  return undefined;
}
