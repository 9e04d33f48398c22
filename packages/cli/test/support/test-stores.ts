import type { Engine } from '@sessions/core';
import { createTestStore as createJsonlStore } from '@sessions/jsonl/testing';
import { createTestStore as createMysqlStore } from '@sessions/mysql/testing';
import { createTestStore as createPostgresStore } from '@sessions/postgres/testing';
import { createTestStore as createRedisStore } from '@sessions/redis/testing';
import { createTestStore as createSqliteStore, type SqliteTestStore } from '@sessions/sqlite/testing';

/** An isolated store from its adapter's `createTestStore`: a URL for the CLI, engines on it, and how to remove it. */
export interface TestStore {
  readonly url: string;
  /** A new engine on the store, not set up yet. */
  engine(): Engine;
  drop(): Promise<void>;
}

/** A fresh PostgreSQL schema (`?schema=`), dropped with everything in it. */
export const postgresStore = (): Promise<TestStore> => createPostgresStore({ prefix: 'cli_' });

/** A fresh MySQL/MariaDB database, dropped afterwards. */
export const mysqlStore = (): Promise<TestStore> => createMysqlStore({ prefix: 'cli_' });

/** A fresh Redis key prefix (`?prefix=`), whose keys are deleted afterwards. */
export const redisStore = (): Promise<TestStore> => createRedisStore({ prefix: 'cli:' });

/** A SQLite file in a temporary folder (its `path` for tests that watch the file), removed afterwards. */
export const sqliteStore = (): Promise<SqliteTestStore> => createSqliteStore({ prefix: 'sessions-cli-sqlite-' });

/** A JSONL store folder under the OS temp folder, removed afterwards. */
export const jsonlStore = (): Promise<TestStore> => createJsonlStore({ prefix: 'sessions-cli-jsonl-' });

const made: Array<Pick<TestStore, 'drop'>> = [];

/** Makes a store that `dropStores()` removes (call it in `afterAll`). */
export async function trackedStore<S extends TestStore>(make: () => Promise<S>): Promise<S> {
  const store = await make();
  made.push(store);
  return store;
}

/** Has `dropStores()` run `drop` too: for a place a test made beside a tracked store. */
export function dropLater(drop: () => Promise<void>): void {
  made.push({ drop });
}

/** Removes every tracked store, newest last; a store already gone is not an error. */
export async function dropStores(): Promise<void> {
  for (const store of made.splice(0)) await store.drop().catch(() => undefined);
}
