import { afterAll, beforeAll } from 'vitest';
import { runConformance } from '@sessions/conformance';
import type { RedisEngine } from '../src/index.js';
import { dropPrefix, randomPrefix, rawReader, requireRedis, testClient, testEngine } from './support/redis.js';

// Direct reads and cleanup go through a client of their own, so the suite checks what was really stored.
const raw = testClient();

beforeAll(requireRedis);
afterAll(() => raw.quit());

runConformance({
  name: 'redis',
  create: () => testEngine(randomPrefix('conformance')),
  reopen: (engine) => testEngine((engine as RedisEngine).prefix),
  destroy: (engine) => dropPrefix(raw, (engine as RedisEngine).prefix),
  raw: (engine) => rawReader(raw, engine),
});
