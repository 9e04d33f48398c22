import { requireTestServer, testServerUrl, uniqueTestName } from '@sessions/core/testing';
import { createClient } from './connection.js';
import { KeySpace } from './keys.js';
import type { RedisEngineOptions } from './options.js';
import type { RedisConnection } from './redis-client.js';
import { RedisEngine } from './redis-engine.js';

export interface CreateTestStoreOptions {
  /** The server. Default `SESSIONS_TEST_REDIS_URL`, else `redis://127.0.0.1:6379`. */
  url?: string;
  /** Start of the random key prefix (no `{` or `}`). Default `sessions_test:`. */
  prefix?: string;
}

/** A key prefix of its own on a real Redis server, for one test file or test. */
export interface RedisTestStore extends AsyncDisposable {
  /** The store's URL for `createEngine` or `fromUrl` (the server URL with `?prefix=`). */
  readonly url: string;
  /** The random key prefix, ending in `:`. */
  readonly prefix: string;
  /** A new engine on the prefix, not set up yet. You close it; `drop()` does not. */
  engine(options?: Omit<RedisEngineOptions, 'url' | 'client' | 'prefix'>): RedisEngine;
  /** Deletes every key under the prefix (SCAN + UNLINK). Safe to call again. */
  drop(): Promise<void>;
}

/**
 * Picks a random key prefix on a test server, so your integration tests run against a real
 * Redis without seeing each other's keys. `drop()` SCANs one server, so point it at a single
 * Redis rather than a Cluster. A server that does not answer fails with how to start one (it
 * never skips).
 *
 * @example
 * import { createTestStore } from '@sessions/redis/testing';
 *
 * const store = await createTestStore();
 * afterAll(() => store.drop());
 * const engine = store.engine();
 * await engine.setup();
 */
export async function createTestStore(options: CreateTestStoreOptions = {}): Promise<RedisTestStore> {
  const server = options.url ?? testServerUrl('redis');
  const keys = new KeySpace(`${uniqueTestName(options.prefix ?? 'sessions_test:')}:`);
  // Nothing to create: checking the server answers is what makes a missing one fail early.
  await withClient(server, (client) => client.ping());
  const url = new URL(server);
  url.searchParams.set('prefix', keys.prefix);
  const drop = () =>
    withClient(server, async (client) => {
      let cursor = '0';
      do {
        const [next, batch] = await client.scan(cursor, 'MATCH', keys.pattern, 'COUNT', 1000);
        for (let i = 0; i < batch.length; i += 500) await client.unlink(...batch.slice(i, i + 500));
        cursor = next;
      } while (cursor !== '0');
    });
  return {
    url: url.toString(),
    prefix: keys.prefix,
    engine: (engineOptions = {}) => new RedisEngine({ ...engineOptions, url: server, prefix: keys.prefix }),
    drop,
    [Symbol.asyncDispose]: drop,
  };
}

/** A short-lived client that fails fast; only failing to connect is reported as a missing server. */
async function withClient<T>(server: string, use: (client: RedisConnection) => Promise<T>): Promise<T> {
  const client = createClient(server, { connectionName: 'sessions-test', connectTimeout: 2_000, retryStrategy: () => null });
  client.on('error', () => undefined);
  try {
    await requireTestServer('redis', () => client.connect(), server);
    return await use(client);
  } finally {
    client.disconnect();
  }
}
