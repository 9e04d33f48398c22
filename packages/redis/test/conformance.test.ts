import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { runConformance } from '@sessions/conformance';
import type { RedisEngine } from '../src/index.js';
import { dropPrefix, randomPrefix, rawReader, REDIS_URL, requireRedis, testClient, testEngine } from './support/redis.js';

// Direct reads and cleanup go through a client of their own, so the suite checks what was really stored.
const raw = testClient();

beforeAll(requireRedis);
afterAll(() => raw.quit());

// The suite's second process opens the same key prefix through the built package.
const builtPackage = fileURLToPath(new URL('../dist/index.js', import.meta.url));

runConformance({
  name: 'redis',
  create: () => testEngine(randomPrefix('conformance')),
  reopen: (engine) => testEngine((engine as RedisEngine).prefix),
  openInAnotherProcess: (engine) => ({ module: builtPackage, exportName: 'RedisEngine', args: [{ url: REDIS_URL, prefix: (engine as RedisEngine).prefix }] }),
  destroy: (engine) => dropPrefix(raw, (engine as RedisEngine).prefix),
  raw: (engine) => rawReader(raw, engine),
});
