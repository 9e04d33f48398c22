import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MemoryEngine, type Engine } from '@sessions/core';
import { JsonlEngine } from '@sessions/jsonl';
import { createTestStore as createMysqlStore } from '@sessions/mysql/testing';
import { createTestStore as createPostgresStore } from '@sessions/postgres/testing';
import { createTestStore as createRedisStore } from '@sessions/redis/testing';
import { SqliteEngine } from '@sessions/sqlite';

/** A store the agent tests run on. `open` gives a fresh, isolated, set-up engine. */
export interface Backend {
  readonly name: string;
  /** Another process can open the store (by the handle's `url`). */
  readonly crossProcess: boolean;
  open(): Promise<BackendHandle>;
}

export interface BackendHandle {
  readonly engine: Engine;
  /** A second engine on the same store, set up: what another process would open. */
  reopen(): Promise<Engine>;
  /** For stores another process can open: the `createEngine` URL of this store. */
  readonly url?: string;
  /** Closes the engines and removes the store. */
  dispose(): Promise<void>;
}

/** Tracks the engines a handle opened, so `dispose` closes them all. */
function handle(first: Engine, open: () => Engine, remove: () => Promise<void>, url?: string): BackendHandle {
  const engines = [first];
  return {
    engine: first,
    ...(url === undefined ? {} : { url }),
    async reopen() {
      const engine = open();
      engines.push(engine);
      await engine.setup();
      return engine;
    },
    async dispose() {
      for (const engine of engines) await engine.close();
      await remove();
    },
  };
}

export const memoryBackend: Backend = {
  name: 'memory',
  crossProcess: false,
  async open() {
    const engine = new MemoryEngine();
    await engine.setup();
    // One in-memory store per engine object: the "other process" is new managers and agents on the same engine.
    return { engine, reopen: async () => engine, dispose: () => engine.close() };
  },
};

export const sqliteBackend: Backend = {
  name: 'sqlite',
  crossProcess: true,
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'sessions-ai-sqlite-'));
    const path = join(dir, 'sessions.db');
    const engine = new SqliteEngine({ path });
    await engine.setup();
    return handle(engine, () => new SqliteEngine({ path }), () => rm(dir, { recursive: true, force: true }), `sqlite:${path}`);
  },
};

export const jsonlBackend: Backend = {
  name: 'jsonl',
  crossProcess: true,
  async open() {
    const dir = await mkdtemp(join(tmpdir(), 'sessions-ai-jsonl-'));
    const engine = new JsonlEngine({ dir, fsync: false });
    await engine.setup();
    return handle(engine, () => new JsonlEngine({ dir, fsync: false }), () => rm(dir, { recursive: true, force: true }), `jsonl:${dir}`);
  },
};

/** An isolated store on a real test server (`createTestStore` of the adapter's `testing` entry point). */
interface TestStore {
  readonly url: string;
  engine(): Engine;
  drop(): Promise<void>;
}

/** A backend on a server adapter: a schema, database or key prefix of its own per handle, removed by `dispose`. */
function serverBackend(name: string, createStore: () => Promise<TestStore>): Backend {
  return {
    name,
    crossProcess: true,
    async open() {
      const store = await createStore();
      const engine = store.engine();
      try {
        await engine.setup();
      } catch (error) {
        await engine.close().catch(() => undefined);
        await store.drop();
        throw error;
      }
      return handle(engine, () => store.engine(), () => store.drop(), store.url);
    },
  };
}

export const postgresBackend = serverBackend('postgres', async () => {
  const store = await createPostgresStore({ prefix: 'sessions_ai_' });
  return { url: store.url, engine: () => store.engine({ poolSize: 4 }), drop: store.drop };
});

export const mysqlBackend = serverBackend('mysql', async () => {
  const store = await createMysqlStore({ prefix: 'sessions_ai_' });
  return { url: store.url, engine: () => store.engine({ connectionLimit: 4 }), drop: store.drop };
});

export const redisBackend = serverBackend('redis', () => createRedisStore({ prefix: 'test:ai:' }));
