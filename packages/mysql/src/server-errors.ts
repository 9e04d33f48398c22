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
