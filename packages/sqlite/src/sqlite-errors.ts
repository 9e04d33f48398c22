import type { StorageErrorKind } from '@sessions/core';

// SQLite result codes (better-sqlite3's `error.code`, extended codes included) by kind.
const KIND_BY_PREFIX: ReadonlyArray<readonly [string, StorageErrorKind]> = [
  ['SQLITE_BUSY', 'conflict'], // SQLITE_BUSY*, and our SQLITE_BUSY_TIMEOUT after retrying
  ['SQLITE_LOCKED', 'conflict'],
  ['SQLITE_FULL', 'full'],
  ['SQLITE_CANTOPEN', 'missing'],
  ['SQLITE_READONLY', 'permission'],
  ['SQLITE_PERM', 'permission'],
  ['SQLITE_AUTH', 'permission'],
  ['SQLITE_NOTADB', 'corrupt'],
  ['SQLITE_CORRUPT', 'corrupt'],
];

/**
 * The `StorageError` kind the first SQLite result code in `error` or its causes names (opening
 * wraps the driver's error in an explanation); undefined leaves it to core.
 */
export function storageErrorKind(error: unknown): StorageErrorKind | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 8; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && code.startsWith('SQLITE_')) return KIND_BY_PREFIX.find(([prefix]) => code.startsWith(prefix))?.[1];
    current = cause;
  }
  return undefined;
}
