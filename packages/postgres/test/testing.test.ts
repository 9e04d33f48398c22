import { testStoreTests } from '@sessions/conformance';
import pg from 'pg';
import { fromUrl } from '../src/index.js';
import { createTestStore } from '../src/testing.js';
import { POSTGRES_URL } from './support/database.js';

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    return rows.length === 1;
  } finally {
    await client.end();
  }
}

testStoreTests({
  name: '@sessions/postgres',
  create: () => createTestStore({ prefix: 'sessions_test_testing_' }),
  createAt: (url) => createTestStore({ url }),
  fromUrl,
  exists: (store) => schemaExists(store.schema),
  isolation: { of: (store) => store.schema, pattern: /^sessions_test_testing_/ },
  unreachable: {
    url: 'postgres://postgres:secret@127.0.0.1:1/test',
    message: /PostgreSQL is not reachable at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/test\./,
  },
});
