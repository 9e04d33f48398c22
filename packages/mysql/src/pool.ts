import { AdapterNotInstalledError } from '@sessions/core';
import type { MysqlPool } from './driver.js';
import type { ResolvedOptions } from './options.js';

interface Mysql2Promise {
  createPool(config: Record<string, unknown>): MysqlPool;
}

/**
 * Creates the pool for an engine given a `uri`. mysql2 is loaded here, on first setup, so a
 * missing peer dependency is a clear AdapterNotInstalledError rather than an import failure.
 */
export async function createPool(options: ResolvedOptions): Promise<MysqlPool> {
  const uri = options.uri!;
  let mysql: Mysql2Promise;
  try {
    const module = (await import('mysql2/promise')) as unknown as Mysql2Promise & { default?: Mysql2Promise };
    mysql = module.default ?? module;
  } catch (error) {
    throw new AdapterNotInstalledError('mysql2', uri, { cause: error });
  }
  return mysql.createPool({
    uri,
    connectionLimit: options.connectionLimit,
    // Evicted statements are closed on the server; this bounds what one pool holds there
    // (max_prepared_stmt_count is server-wide, 16382 by default).
    maxPreparedStatements: 256,
    enableKeepAlive: true,
    ...options.poolOptions,
  });
}
