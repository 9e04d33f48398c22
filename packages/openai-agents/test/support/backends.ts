import { MemoryEngine, type Engine } from '@sessions/core';
import { createTestStore as createJsonlStore } from '@sessions/jsonl/testing';
import { createTestStore as createMysqlStore } from '@sessions/mysql/testing';
import { createTestStore as createPostgresStore } from '@sessions/postgres/testing';
import { createTestStore as createRedisStore } from '@sessions/redis/testing';
import { createTestStore as createSqliteStore } from '@sessions/sqlite/testing';
import { inMemoryBackend, testStoreBackend, type OpenStore, type StoreBackend } from '@sessions/test-support';

/** A store the session tests run on: each adapter's own `createTestStore`, through the helper the bridges share. */
export type Backend = StoreBackend<Engine>;
export type Store = OpenStore<Engine>;

/** The in-memory reference engine: every "fresh engine" is the same one, since memory is the store. */
export const memoryBackend: Backend = inMemoryBackend('memory', () => new MemoryEngine());

export const sqliteBackend: Backend = testStoreBackend('sqlite', () => createSqliteStore({ prefix: 'sessions-openai-agents-sqlite-' }));

export const jsonlBackend: Backend = testStoreBackend('jsonl', () => createJsonlStore({ prefix: 'sessions-openai-agents-jsonl-' }));

export const postgresBackend: Backend = testStoreBackend('postgres', () => createPostgresStore({ prefix: 'sessions_openai_agents_' }));

export const mysqlBackend: Backend = testStoreBackend('mysql', () => createMysqlStore({ prefix: 'sessions_openai_agents_' }));

export const redisBackend: Backend = testStoreBackend('redis', () => createRedisStore({ prefix: 'test:openai-agents:' }));
