import { afterAll, beforeAll } from 'vitest';
import type { Redis } from 'ioredis';
import type { RedisEngine } from '../../src/index.js';
import { dropPrefix, requireRedis, testClient } from './redis.js';

export interface RedisFileScope {
  /** A client of the test file's own, for checking what Redis holds. */
  client: Redis;
  /** Key prefixes the file's tests wrote under: dropped after the file. */
  prefixes: string[];
  /** Engines the file's tests opened: closed after the file. */
  engines: RedisEngine[];
}

/**
 * Registers a test file's hooks: fail at once, saying how to start Redis, when there is no
 * server; after the file, close every engine it opened and delete every key it wrote.
 */
export function redisFileScope(): RedisFileScope {
  const scope: RedisFileScope = { client: testClient(), prefixes: [], engines: [] };
  beforeAll(requireRedis);
  afterAll(async () => {
    // Every key goes and the client quits even when an engine fails to close; that failure is still reported.
    const closed = await Promise.allSettled(scope.engines.map((engine) => engine.close()));
    for (const prefix of scope.prefixes) await dropPrefix(scope.client, prefix);
    await scope.client.quit();
    for (const result of closed) if (result.status === 'rejected') throw result.reason;
  });
  return scope;
}
