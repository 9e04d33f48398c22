import { MemoryEngine, type Engine } from '@sessions/core';
import { createTestStore as createJsonlStore } from '@sessions/jsonl/testing';
import { createTestStore as createMysqlStore } from '@sessions/mysql/testing';
import { createTestStore as createPostgresStore } from '@sessions/postgres/testing';
import { createTestStore as createRedisStore } from '@sessions/redis/testing';
import { createTestStore as createSqliteStore } from '@sessions/sqlite/testing';
import { inMemoryBackend, testStoreBackend, type OpenStore, type StoreBackend } from '@sessions/test-support';

/** A store the agent tests run on: each adapter's own `createTestStore`, through the helper the bridges share. */
export type Backend = StoreBackend<Engine>;
export type BackendHandle = OpenStore<Engine>;

export const memoryBackend: Backend = inMemoryBackend('memory', () => new MemoryEngine());

export const sqliteBackend: Backend = testStoreBackend('sqlite', () => createSqliteStore({ prefix: 'sessions-ai-sqlite-' }));

export const jsonlBackend: Backend = testStoreBackend('jsonl', () => createJsonlStore({ prefix: 'sessions-ai-jsonl-' }));

export const postgresBackend: Backend = testStoreBackend('postgres', async () => {
  const store = await createPostgresStore({ prefix: 'sessions_ai_' });
  return { url: store.url, engine: () => store.engine({ poolSize: 4 }), drop: store.drop };
});

export const mysqlBackend: Backend = testStoreBackend('mysql', async () => {
  const store = await createMysqlStore({ prefix: 'sessions_ai_' });
  return { url: store.url, engine: () => store.engine({ connectionLimit: 4 }), drop: store.drop };
});

export const redisBackend: Backend = testStoreBackend('redis', () => createRedisStore({ prefix: 'test:ai:' }));
