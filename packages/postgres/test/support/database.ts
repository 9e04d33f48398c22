import { requireTestServer, testServerUrl, uniqueTestName } from '@sessions/core/testing';
import pg from 'pg';

/** The server the tests use; point it at your own with SESSIONS_TEST_POSTGRES_URL. */
export const POSTGRES_URL = testServerUrl('postgres');

/** A pool on the test server that never crashes the process when one of its idle connections dies. */
export function testPool(options: pg.PoolConfig = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: POSTGRES_URL, max: 4, ...options });
  pool.on('error', () => undefined);
  return pool;
}

/** Fails (never skips) with instructions when the server does not answer. */
export async function requirePostgres(): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  try {
    await requireTestServer('postgres', async () => {
      await client.connect();
      await client.query('SELECT 1');
    });
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A schema name no other run uses. */
export function randomSchema(label: string): string {
  return uniqueTestName(`sessions_test_${label}_`);
}

export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}
