import { ValidationError } from '@sessions/core';
import { requireTestServer, testServerUrl, uniqueTestName } from '@sessions/core/testing';
import mysql from 'mysql2/promise';
import { MysqlEngine } from './mysql-engine.js';
import type { MysqlEngineOptions } from './options.js';

export interface CreateTestStoreOptions {
  /** The server. Default `SESSIONS_TEST_MYSQL_URL`, else `mysql://root@127.0.0.1:3306/test`. */
  url?: string;
  /** Start of the random database name (letters, digits, `_`). Default `sessions_test_`. */
  prefix?: string;
}

/** A database of its own on a real MySQL or MariaDB server, for one test file or test. */
export interface MysqlTestStore extends AsyncDisposable {
  /** The store's URL for `createEngine` or `fromUrl` (the server URL naming the new database). */
  readonly url: string;
  /** The random database's name. */
  readonly database: string;
  /** A new engine on the database, not set up yet. You close it; `drop()` does not. */
  engine(options?: Omit<MysqlEngineOptions, 'uri' | 'pool'>): MysqlEngine;
  /** Drops the database and everything in it. Safe to call again. */
  drop(): Promise<void>;
}

const MAX_DATABASE_NAME = 64;

/**
 * Creates a randomly named database on a test server, so your integration tests run against a
 * real MySQL or MariaDB without seeing each other's data. The server's user must be allowed to
 * create and drop databases. A server that does not answer fails with how to start one (it
 * never skips).
 *
 * @example
 * import { createTestStore } from '@sessions/mysql/testing';
 *
 * const store = await createTestStore();
 * afterAll(() => store.drop());
 * const engine = store.engine();
 * await engine.setup();
 */
export async function createTestStore(options: CreateTestStoreOptions = {}): Promise<MysqlTestStore> {
  const server = options.url ?? testServerUrl('mysql');
  const prefix = options.prefix ?? 'sessions_test_';
  const database = uniqueTestName(prefix);
  if (!/^[A-Za-z0-9_]+$/.test(database) || database.length > MAX_DATABASE_NAME) {
    throw new ValidationError(`prefix must be letters, digits or "_", at most ${MAX_DATABASE_NAME - (database.length - prefix.length)} long`, {
      path: 'options.prefix',
    });
  }
  await run(server, `CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  const url = new URL(server);
  url.pathname = `/${database}`;
  const drop = () => run(server, `DROP DATABASE IF EXISTS \`${database}\``);
  return {
    url: url.toString(),
    database,
    engine: (engineOptions = {}) => new MysqlEngine({ ...engineOptions, uri: url.toString() }),
    drop,
    [Symbol.asyncDispose]: drop,
  };
}

/** One statement on a short-lived connection; only failing to connect is reported as a missing server. */
async function run(server: string, sql: string): Promise<void> {
  const connection = await requireTestServer('mysql', () => mysql.createConnection({ uri: server, connectTimeout: 5_000 }), server);
  try {
    await connection.query(sql);
  } finally {
    await connection.end().catch(() => undefined);
  }
}
