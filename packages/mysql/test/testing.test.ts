import { testStoreTests } from '@sessions/conformance';
import mysql from 'mysql2/promise';
import { fromUrl } from '../src/index.js';
import { createTestStore } from '../src/testing.js';
import { SERVER_URL } from './support/database.js';

async function databaseExists(database: string): Promise<boolean> {
  const connection = await mysql.createConnection({ uri: SERVER_URL });
  try {
    const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [database]);
    return rows.length === 1;
  } finally {
    await connection.end();
  }
}

testStoreTests({
  name: '@sessions/mysql',
  create: () => createTestStore({ prefix: 'sessions_test_testing_' }),
  createAt: (url) => createTestStore({ url }),
  fromUrl,
  exists: (store) => databaseExists(store.database),
  isolation: { of: (store) => store.database, pattern: /^sessions_test_testing_/ },
  unreachable: { url: 'mysql://root:secret@127.0.0.1:1/test', message: /MySQL\/MariaDB is not reachable at mysql:\/\/root:\*\*\*@127\.0\.0\.1:1\/test\./ },
});
