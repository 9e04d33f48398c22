import { ValidationError } from '@sessions/core';
import { MessageModel, parseConnectionUrl, SessionModel } from '@sessions/core/engine';
import type { PgPool } from './pg-client.js';
import { MAX_IDENTIFIER_BYTES, NAME_PART } from './sql/identifiers.js';
import { SCHEMA_VERSION_TABLE } from './sql/tables.js';

/**
 * How a `PostgresEngine` reaches its database. Give either `connectionString` (the engine
 * creates a pool and closes it in `close()`) or `pool` (yours: the engine never closes it).
 */
export interface PostgresEngineOptions {
  /** `postgres://user:password@host:5432/database`, as `pg` accepts it. */
  connectionString?: string;
  /** A `pg.Pool` (or anything with its `query`, `connect` and `end`) that the application owns. */
  pool?: PgPool;
  /** Schema holding the tables; created by `setup()` if missing. Default `public`. */
  schema?: string;
  /** Put before every table and index name, e.g. `chat_` gives `chat_sessions`. Default none. */
  tablePrefix?: string;
  /** Most connections in the pool the engine creates from `connectionString`. Default 10. */
  poolSize?: number;
  /**
   * How long the pool the engine creates waits for a new connection before failing with
   * `StorageError`, in milliseconds. Default 10,000: without a limit, a server that accepts and
   * never answers (a dead host behind a load balancer) would hang `setup()` and `close()` for good.
   */
  connectTimeoutMs?: number;
  /**
   * How long one statement may wait for the server's answer, in milliseconds. Default 30,000. On
   * expiry the call fails with `StorageError` naming the server (host and port), the connection is
   * destroyed rather than returned to the pool, and the message says whether a write may have been
   * committed. `close()` waits at most this long for calls in flight. Applies to an injected pool too.
   */
  queryTimeoutMs?: number;
  /**
   * How long a call waits to check a connection out of the pool (a free one, or a new one being
   * opened), in milliseconds. Default 30,000. Applies to an injected pool too; the pool the engine
   * creates also gives up opening a connection after `connectTimeoutMs`.
   */
  acquireTimeoutMs?: number;
  /**
   * Prepare the fixed statements once per connection (skips parsing and planning on reuse).
   * Default true; turn it off behind a PgBouncer older than 1.21 in transaction mode.
   */
  preparedStatements?: boolean;
}

export interface ResolvedOptions {
  readonly connectionString: string | undefined;
  readonly pool: PgPool | undefined;
  readonly schema: string;
  readonly tablePrefix: string;
  readonly poolSize: number;
  readonly connectTimeoutMs: number;
  readonly queryTimeoutMs: number;
  readonly acquireTimeoutMs: number;
  readonly preparedStatements: boolean;
}

const LOCAL_NAMES = [
  'sessions',
  'messages',
  'leases',
  'sessions_metadata',
  SCHEMA_VERSION_TABLE,
  ...SessionModel.indexes.map((index) => index.name),
  ...MessageModel.indexes.map((index) => index.name),
  // PostgreSQL names primary keys and foreign keys after their table.
  'messages_user_id_session_id_fkey',
];
const LONGEST_LOCAL_NAME = Math.max(...LOCAL_NAMES.map((name) => name.length));

/** What a PostgreSQL URL looks like, for `parseConnectionUrl`. The example has no password: URLs in messages are redacted. */
export const URL_SHAPE = { schemes: ['postgres:', 'postgresql:'], example: 'postgres://user@host:5432/database' } as const;

/** Checks and copies the options, so later changes to the caller's object change nothing. */
export function resolveOptions(options: PostgresEngineOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new ValidationError('expected { connectionString } or { pool }', { path: 'options' });
  const { connectionString, pool } = options;
  if ((connectionString === undefined) === (pool === undefined)) {
    throw new ValidationError('give exactly one of connectionString (the engine owns the pool) or pool (you own it)', { path: 'options' });
  }
  if (connectionString !== undefined && (typeof connectionString !== 'string' || connectionString.length === 0)) {
    throw new ValidationError('connectionString must be a non-empty string such as "postgres://user@localhost:5432/app"', { path: 'options.connectionString' });
  }
  // Other forms pg takes (a socket path, `socket:`) are left to pg; a URL is checked here, so pg never throws its TypeError, which holds the whole URL.
  if (connectionString !== undefined && /^postgres(ql)?:\/\//i.test(connectionString)) {
    parseConnectionUrl(connectionString, { ...URL_SHAPE, path: 'options.connectionString' });
  }
  if (pool !== undefined && (typeof pool?.query !== 'function' || typeof pool.connect !== 'function')) {
    throw new ValidationError('pool must be a pg.Pool (an object with query() and connect())', { path: 'options.pool' });
  }
  const schema = options.schema ?? 'public';
  if (typeof schema !== 'string' || !NAME_PART.test(schema) || schema.length > MAX_IDENTIFIER_BYTES) {
    throw new ValidationError(`schema must be 1-${MAX_IDENTIFIER_BYTES} letters, digits or "_", not starting with a digit`, { path: 'options.schema' });
  }
  const tablePrefix = options.tablePrefix ?? '';
  const maxPrefix = MAX_IDENTIFIER_BYTES - LONGEST_LOCAL_NAME;
  if (typeof tablePrefix !== 'string' || (tablePrefix !== '' && !NAME_PART.test(tablePrefix)) || tablePrefix.length > maxPrefix) {
    throw new ValidationError(`tablePrefix must be at most ${maxPrefix} letters, digits or "_", not starting with a digit`, { path: 'options.tablePrefix' });
  }
  const poolSize = options.poolSize ?? 10;
  if (!Number.isSafeInteger(poolSize) || poolSize < 1) throw new ValidationError('poolSize must be a whole number >= 1', { path: 'options.poolSize' });
  const connectTimeoutMs = milliseconds(options, 'connectTimeoutMs', 10_000);
  const queryTimeoutMs = milliseconds(options, 'queryTimeoutMs', 30_000);
  const acquireTimeoutMs = milliseconds(options, 'acquireTimeoutMs', 30_000);
  const preparedStatements = options.preparedStatements ?? true;
  if (typeof preparedStatements !== 'boolean') throw new ValidationError('preparedStatements must be true or false', { path: 'options.preparedStatements' });
  return Object.freeze({ connectionString, pool, schema, tablePrefix, poolSize, connectTimeoutMs, queryTimeoutMs, acquireTimeoutMs, preparedStatements });
}

/** A time limit: a whole number of milliseconds >= 1 (no limit is not an option: it would hang on a silent server). */
function milliseconds(options: PostgresEngineOptions, name: 'connectTimeoutMs' | 'queryTimeoutMs' | 'acquireTimeoutMs', fallback: number): number {
  const value = options[name] ?? fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new ValidationError(`${name} must be a whole number of milliseconds >= 1`, { path: `options.${name}` });
  return value;
}
