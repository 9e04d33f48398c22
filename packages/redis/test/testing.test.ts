import { testStoreTests } from '@sessions/conformance';
import { afterAll } from 'vitest';
import { fromUrl } from '../src/index.js';
import { createTestStore } from '../src/testing.js';
import { keysUnder, testClient } from './support/redis.js';

const client = testClient();
afterAll(() => client.disconnect());

testStoreTests({
  name: '@sessions/redis',
  create: () => createTestStore({ prefix: 'test:testing:' }),
  createAt: (url) => createTestStore({ url }),
  fromUrl,
  exists: async (store) => {
    if (client.status === 'wait') await client.connect();
    return (await keysUnder(client, store.prefix)).length > 0;
  },
  isolation: { of: (store) => store.prefix, pattern: /^test:testing:.+:$/ },
  unreachable: { url: 'redis://:secret@127.0.0.1:1', message: /Redis is not reachable at redis:\/\/:\*\*\*@127\.0\.0\.1:1\./ },
});
