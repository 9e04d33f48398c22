import type mysql from 'mysql2/promise';
import type { MysqlPool } from '../../src/index.js';

/** A pool that counts the statements sent through it: each is one round trip. */
export function countingPool(inner: mysql.Pool): MysqlPool & { statements: string[] } {
  const statements: string[] = [];
  const wrap = (connection: mysql.PoolConnection) => ({
    execute: (options: { sql: string }, values?: unknown) => (statements.push(options.sql), connection.execute(options, values as never)),
    query: (sql: string) => (statements.push(sql), connection.query(sql)),
    release: () => connection.release(),
    destroy: () => connection.destroy(),
  });
  return {
    statements,
    getConnection: async () => wrap(await inner.getConnection()) as never,
    execute: (options, values) => (statements.push(options.sql), inner.execute(options, values)) as never,
    query: (sql) => (statements.push(sql), inner.query(sql)) as never,
    end: () => inner.end(),
  };
}
