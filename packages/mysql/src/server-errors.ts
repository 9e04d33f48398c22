import type { StorageErrorKind } from '@sessions/core';

/** Server error numbers the engine reacts to (the same on MySQL and MariaDB). */
export const ER_DUP_ENTRY = 1062;
export const ER_LOCK_DEADLOCK = 1213;
/** MariaDB with innodb_snapshot_isolation: a row changed under a transaction's snapshot. */
export const ER_CHECKREAD = 1020;

function errno(error: unknown): number | undefined {
  const value = (error as { errno?: unknown } | null)?.errno;
  return typeof value === 'number' ? value : undefined;
}

export function isDuplicateKey(error: unknown): boolean {
  return errno(error) === ER_DUP_ENTRY;
}

/** The server rolled the whole transaction back, so running it again from the start is safe. */
export function isRetryableConflict(error: unknown): boolean {
  const code = errno(error);
  return code === ER_LOCK_DEADLOCK || code === ER_CHECKREAD;
}

/** The connection is unusable (killed, reset, protocol error): it must not go back to the pool. */
export function isFatal(error: unknown): boolean {
  return (error as { fatal?: unknown } | null)?.fatal === true;
}

// Server error numbers (MySQL and MariaDB) by the `StorageError` kind they name.
const KIND_BY_ERRNO: ReadonlyMap<number, StorageErrorKind> = new Map<number, StorageErrorKind>([
  [1044, 'auth'], // ER_DBACCESS_DENIED_ERROR
  [1045, 'auth'], // ER_ACCESS_DENIED_ERROR
  [1049, 'missing'], // ER_BAD_DB_ERROR
  [ER_LOCK_DEADLOCK, 'conflict'],
  [1205, 'conflict'], // ER_LOCK_WAIT_TIMEOUT
  [ER_CHECKREAD, 'conflict'],
  [1021, 'full'], // ER_DISK_FULL
  [1114, 'full'], // ER_RECORD_FILE_FULL
  [1142, 'permission'], // ER_TABLEACCESS_DENIED_ERROR
  [3024, 'timeout'], // ER_QUERY_TIMEOUT (max_execution_time)
  [1969, 'timeout'], // MariaDB ER_STATEMENT_TIMEOUT (max_statement_time)
]);

/** The `StorageError` kind a driver error names; undefined leaves it to core (system codes, then unknown). */
export function storageErrorKind(error: unknown): StorageErrorKind | undefined {
  const code = errno(error);
  if (code !== undefined && KIND_BY_ERRNO.has(code)) return KIND_BY_ERRNO.get(code);
  // The driver's own code when the server closed the connection under it.
  if ((error as { code?: unknown } | null)?.code === 'PROTOCOL_CONNECTION_LOST') return 'unreachable';
  return undefined;
}
