import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { runConformance } from '@sessions/conformance';
import type { Engine } from '@sessions/core';
import type { RedisEngine } from '../src/index.js';
import { createTestStore, type RedisTestStore } from '../src/testing.js';
import { rawReader, REDIS_URL, requireRedis, testClient, testEngine } from './support/redis.js';

// Direct reads go through a client of their own, so the suite checks what was really stored.
const raw = testClient();

beforeAll(requireRedis);
afterAll(() => raw.quit());

// The suite's second process opens the same key prefix through the built package.
const builtPackage = fileURLToPath(new URL('../dist/index.js', import.meta.url));
// Each engine under a key prefix of its own, made by the package's own test-store fixture (`@sessions/redis/testing`).
const stores = new Map<Engine, RedisTestStore>();

runConformance({
  name: 'redis',
  async create() {
    const store = await createTestStore({ url: REDIS_URL, prefix: 'conformance:' });
    const engine = store.engine();
    stores.set(engine, store);
    return engine;
  },
  reopen: (engine) => testEngine((engine as RedisEngine).prefix),
  openInAnotherProcess: (engine) => ({ module: builtPackage, exportName: 'RedisEngine', args: [{ url: REDIS_URL, prefix: (engine as RedisEngine).prefix }] }),
  destroy: (engine) => stores.get(engine)?.drop(),
  raw: (engine) => rawReader(raw, engine),
});
