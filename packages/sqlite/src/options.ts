import { resolve } from 'node:path';
import { ValidationError } from '@sessions/core';
import { assertStorableString, describeType, isPlainObject } from '@sessions/core/engine';
import type { SqliteDatabase } from './database.js';

/**
 * SQLite's `synchronous` setting. In WAL mode `NORMAL` (the default) keeps every committed
 * transaction across a crash of the process or of the application, and the database is never
 * corrupted; only a power loss or OS crash may roll back the last few commits before the next
 * checkpoint. `FULL` also survives power loss, at the cost of an fsync on every commit.
 */
export type SqliteSynchronous = 'OFF' | 'NORMAL' | 'FULL' | 'EXTRA';

/** Tuning shared by both ways to build a `SqliteEngine`. */
export interface SqliteTuning {
  /** See {@link SqliteSynchronous}. Default `'NORMAL'`. */
  synchronous?: SqliteSynchronous;
  /**
   * How long the driver itself may block the thread waiting for another connection's lock,
   * in ms. Keep it short: better-sqlite3 is synchronous, so this wait stalls the event loop
   * (and with it lease heartbeats). Longer waits are retried asynchronously. Default 5.
   */
  busyTimeoutMs?: number;
  /**
   * How long an operation keeps retrying, asynchronously with jittered backoff, while the
   * database is locked by another connection (SQLITE_BUSY / SQLITE_LOCKED), in ms. Default 10,000.
   */
  retryTimeoutMs?: number;
  /** Prefix for the engine's table and index names, e.g. `'chat_'`. Default none. */
  tablePrefix?: string;
}

/** Open (and own) the database file at `path`; `':memory:'` for a private in-memory database. */
export interface SqlitePathOptions extends SqliteTuning {
  path: string;
  database?: undefined;
}

/** Use a better-sqlite3 `Database` you opened; the engine never closes it. */
export interface SqliteDatabaseOptions extends SqliteTuning {
  database: SqliteDatabase;
  path?: undefined;
}

export type SqliteEngineOptions = SqlitePathOptions | SqliteDatabaseOptions;

export interface ResolvedSqliteOptions {
  /** Absolute file path, `':memory:'`, or undefined for an injected database. */
  readonly path: string | undefined;
  readonly database: SqliteDatabase | undefined;
  readonly synchronous: SqliteSynchronous;
  readonly busyTimeoutMs: number;
  readonly retryTimeoutMs: number;
  readonly tablePrefix: string;
}

export const MEMORY_PATH = ':memory:';
const SYNCHRONOUS: readonly SqliteSynchronous[] = ['OFF', 'NORMAL', 'FULL', 'EXTRA'];
const TABLE_PREFIX = /^(?:[A-Za-z_][A-Za-z0-9_]{0,31})?$/;

/** Checks options once, at construction, and returns a frozen copy. */
export function resolveOptions(options: unknown): ResolvedSqliteOptions {
  if (!isPlainObject(options)) {
    throw new ValidationError(`expected { path } or { database }, got ${describeType(options)}`, { path: 'options' });
  }
  const { path, database } = options as { path?: unknown; database?: unknown };
  if ((path === undefined) === (database === undefined)) {
    throw new ValidationError('give exactly one of path (a file to open) or database (a better-sqlite3 Database you opened)', { path: 'options' });
  }
  const synchronous = options['synchronous'] ?? 'NORMAL';
  if (!SYNCHRONOUS.includes(synchronous as SqliteSynchronous)) {
    throw new ValidationError(`synchronous is one of ${SYNCHRONOUS.join(', ')}, got ${JSON.stringify(synchronous)}`, { path: 'options.synchronous' });
  }
  const tablePrefix = options['tablePrefix'] ?? '';
  if (typeof tablePrefix !== 'string' || !TABLE_PREFIX.test(tablePrefix)) {
    throw new ValidationError('tablePrefix is up to 32 letters, digits and "_", not starting with a digit', { path: 'options.tablePrefix' });
  }
  return Object.freeze({
    path: path === undefined ? undefined : resolvePath(path),
    database: database === undefined ? undefined : checkDatabase(database),
    synchronous: synchronous as SqliteSynchronous,
    busyTimeoutMs: milliseconds(options['busyTimeoutMs'], 5, 60_000, 'options.busyTimeoutMs'),
    retryTimeoutMs: milliseconds(options['retryTimeoutMs'], 10_000, 2_147_483_647, 'options.retryTimeoutMs'),
    tablePrefix,
  });
}

function resolvePath(path: unknown): string {
  if (typeof path !== 'string' || path.length === 0) {
    throw new ValidationError(`path is a database file such as "./sessions.db" (or ":memory:"), got ${describeType(path)}`, { path: 'options.path' });
  }
  assertStorableString(path, 'options.path');
  if (path === MEMORY_PATH) return path;
  if (path.startsWith('file:')) throw new ValidationError('path is a plain file path, not a file: URI', { path: 'options.path' });
  return resolve(path);
}

function checkDatabase(database: unknown): SqliteDatabase {
  const candidate = database as Partial<SqliteDatabase> | null;
  if (typeof candidate !== 'object' || candidate === null || typeof candidate.prepare !== 'function' || typeof candidate.transaction !== 'function') {
    throw new ValidationError(`database is a better-sqlite3 Database, got ${describeType(database)}`, { path: 'options.database' });
  }
  if (candidate.open === false) throw new ValidationError('the injected database is already closed', { path: 'options.database' });
  return candidate as SqliteDatabase;
}

function milliseconds(value: unknown, fallback: number, max: number, path: string): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0 || value > max) {
    throw new ValidationError(`must be a whole number of milliseconds from 0 to ${max}, got ${String(value)}`, { path });
  }
  return value;
}
