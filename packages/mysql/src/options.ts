import { ValidationError } from '@sessions/core';
import { describeType, isPlainObject } from '@sessions/core/engine';
import { checkPoolOptions, normalizeMysqlUri } from './connection-uri.js';
import type { MysqlPool } from './driver.js';
import { TABLE_PREFIX_PATTERN } from './tables.js';

/** Options of `new MysqlEngine(...)`: give either `uri` or `pool`. */
export interface MysqlEngineOptions {
  /**
   * A connection URI, `mysql://user:password@host:3306/database` (`mariadb://` works too). The
   * engine creates its own mysql2 pool from it and closes that pool on `close()`.
   */
  uri?: string;
  /**
   * A `mysql2/promise` pool you created. The engine borrows it and never closes it. It must use
   * the utf8mb4 charset (mysql2's default) and select a database.
   */
  pool?: MysqlPool;
  /** Prefix of the table names (`<prefix>sessions`, `<prefix>messages`, ...). Default `sessions_`. */
  tablePrefix?: string;
  /** Size of the pool the engine creates from `uri`. Default 10. */
  connectionLimit?: number;
  /**
   * More mysql2 pool options (ssl, connectTimeout, ...) for the pool the engine creates from `uri`.
   * Options that change the shape of rows (`typeCast`, `rowsAsArray`, `nestTables`, `queryFormat`)
   * and a charset other than utf8mb4 are refused with a ValidationError.
   */
  poolOptions?: Readonly<Record<string, unknown>>;
  /**
   * How long one statement may wait for the server's answer, in milliseconds. Default 30,000. On
   * expiry the call fails with `StorageError` naming the server (host and port), the connection is
   * destroyed rather than returned to the pool, and the message says whether a write may have been
   * committed. `close()` waits at most this long for calls in flight. Applies to an injected pool too.
   */
  queryTimeoutMs?: number;
  /**
   * How long a call waits to check a connection out of the pool (a free one, or a new one being
   * opened), in milliseconds. Default 30,000. Applies to an injected pool too; opening a connection
   * also gives up after mysql2's `connectTimeout` (10 s unless set in `poolOptions`).
   */
  acquireTimeoutMs?: number;
  /** How long `setup()` waits while another process migrates the same tables. Default 60 s. */
  migrationLockTimeoutMs?: number;
  /**
   * Use `INSERT ... RETURNING` where the server has it (MariaDB), which makes acquiring a lease one
   * round trip instead of a four-statement transaction. Default true; set false behind a proxy
   * that mishandles RETURNING.
   */
  useReturning?: boolean;
  /**
   * Append through a stored procedure the engine creates at setup (`<prefix>append_messages_v2`),
   * so an append of up to four messages is one round trip instead of four. Default true. When
   * false, or when the database user may not create routines, appends run as a transaction of
   * statements with the same guarantees.
   */
  appendRoutine?: boolean;
}

export interface ResolvedOptions {
  readonly uri: string | undefined;
  readonly pool: MysqlPool | undefined;
  readonly tablePrefix: string;
  readonly connectionLimit: number;
  readonly poolOptions: Readonly<Record<string, unknown>>;
  readonly migrationLockTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  readonly useReturning: boolean;
  readonly appendRoutine: boolean;
}

export const DEFAULT_TABLE_PREFIX = 'sessions_';

/** Checks the options and returns a frozen copy, so later changes by the caller have no effect. */
export function resolveOptions(input: MysqlEngineOptions): ResolvedOptions {
  if (!isPlainObject(input)) throw new ValidationError(`expected { uri } or { pool }, got ${describeType(input)}`, { path: 'options' });
  const options: MysqlEngineOptions = input;
  const { uri, pool } = options;
  if ((uri === undefined) === (pool === undefined)) {
    throw new ValidationError('give exactly one of uri (the engine makes and closes a pool) or pool (yours, never closed)', { path: 'options' });
  }
  const normalizedUri = uri === undefined ? undefined : normalizeMysqlUri(uri, 'options.uri');
  if (pool !== undefined && (typeof pool !== 'object' || pool === null || typeof pool.getConnection !== 'function' || typeof pool.execute !== 'function')) {
    throw new ValidationError('pool must be a mysql2/promise pool (mysql.createPool(...))', { path: 'options.pool' });
  }
  const tablePrefix = options.tablePrefix ?? DEFAULT_TABLE_PREFIX;
  if (typeof tablePrefix !== 'string' || !TABLE_PREFIX_PATTERN.test(tablePrefix)) {
    throw new ValidationError('tablePrefix is up to 32 letters, digits or underscores', { path: 'options.tablePrefix' });
  }
  const connectionLimit = options.connectionLimit ?? 10;
  if (!Number.isSafeInteger(connectionLimit) || connectionLimit < 1)
    throw new ValidationError('connectionLimit is a whole number >= 1', { path: 'options.connectionLimit' });
  const migrationLockTimeoutMs = options.migrationLockTimeoutMs ?? 60_000;
  if (!Number.isSafeInteger(migrationLockTimeoutMs) || migrationLockTimeoutMs < 0) {
    throw new ValidationError('migrationLockTimeoutMs is a whole number of milliseconds', { path: 'options.migrationLockTimeoutMs' });
  }
  const queryTimeoutMs = timeLimit(options, 'queryTimeoutMs');
  const acquireTimeoutMs = timeLimit(options, 'acquireTimeoutMs');
  const useReturning = options.useReturning ?? true;
  if (typeof useReturning !== 'boolean') throw new ValidationError('useReturning is true or false', { path: 'options.useReturning' });
  const appendRoutine = options.appendRoutine ?? true;
  if (typeof appendRoutine !== 'boolean') throw new ValidationError('appendRoutine is true or false', { path: 'options.appendRoutine' });
  if (options.poolOptions !== undefined && !isPlainObject(options.poolOptions))
    throw new ValidationError('poolOptions is an object of mysql2 pool options', { path: 'options.poolOptions' });
  if (options.poolOptions !== undefined) checkPoolOptions(options.poolOptions, 'options.poolOptions');
  return Object.freeze({
    uri: normalizedUri,
    pool,
    tablePrefix,
    connectionLimit,
    poolOptions: Object.freeze({ ...options.poolOptions }),
    migrationLockTimeoutMs,
    queryTimeoutMs,
    acquireTimeoutMs,
    useReturning,
    appendRoutine,
  });
}

/** A time limit: a whole number of milliseconds >= 1, default 30 s (no limit is not an option: it would hang on a silent server). */
function timeLimit(options: MysqlEngineOptions, name: 'queryTimeoutMs' | 'acquireTimeoutMs'): number {
  const value = options[name] ?? 30_000;
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(`${name} is a whole number of milliseconds >= 1`, { path: `options.${name}` });
  return value;
}
