import type { StorageErrorKind } from '@sessions/core';

/** SQLSTATE codes the engine reacts to. */
export const PG = Object.freeze({
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  undefinedTable: '42P01',
  duplicateTable: '42P07',
  duplicateObject: '42710',
});

/** The SQLSTATE of a `pg` error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length === 5 ? code : undefined;
}

/** The constraint a `pg` integrity error names, if any. */
export function constraintOf(error: unknown): string | undefined {
  const constraint = (error as { constraint?: unknown } | null)?.constraint;
  return typeof constraint === 'string' ? constraint : undefined;
}

/**
 * Whether a connection is still fit for the pool after this error: yes after an error the server
 * reported for the statement, no after a connection failure (08), an operator intervention such
 * as a terminated backend (57), an internal error (XX) or anything that is not a server error.
 */
export function leavesConnectionUsable(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && !/^(08|57|XX)/.test(code);
}

/** Errors after which running the same single statement again is safe and likely to succeed. */
export function isTransient(error: unknown): boolean {
  const code = sqlState(error);
  return code === PG.serializationFailure || code === PG.deadlockDetected;
}

/** The `StorageError` kind a SQLSTATE names; undefined leaves it to core (system codes, then unknown). */
export function storageErrorKind(error: unknown): StorageErrorKind | undefined {
  const code = sqlState(error);
  if (code === undefined) return undefined;
  if (code === PG.serializationFailure || code === PG.deadlockDetected) return 'conflict';
  if (code === '3D000') return 'missing'; // invalid_catalog_name: the database does not exist
  if (code === '53100') return 'full'; // disk_full
  if (code === '57014') return 'timeout'; // query_canceled, as by statement_timeout
  if (code === '42501') return 'permission'; // insufficient_privilege
  if (code.startsWith('28')) return 'auth'; // invalid_authorization_specification, invalid_password
  if (code.startsWith('08') || /^57P0[1-3]$/.test(code)) return 'unreachable'; // connection exception, server shutting down
  if (code.startsWith('XX00')) return 'corrupt'; // data_corrupted, index_corrupted
  return undefined;
}
