import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll } from 'vitest';
import { runConformance } from '@sessions/conformance';
import type { Engine } from '@sessions/core';
import { MysqlEngine } from '../src/index.js';
import { createTestStore, type MysqlTestStore } from '../src/testing.js';
import { dropTables, randomName, rawReader, SERVER_URL } from './support/database.js';

// A database of its own, made when the tests start (never while vitest collects them), dropped after.
let store: MysqlTestStore | undefined;
let pool: mysql.Pool | undefined;
beforeAll(async () => {
  store = await createTestStore({ url: SERVER_URL, prefix: 'sessions_test_conformance_' });
  pool = mysql.createPool({ uri: store.url, connectionLimit: 4 });
});
afterAll(async () => {
  await pool?.end();
  await store?.drop();
});
const url = () => store!.url;
const prefixOf = (engine: Engine) => (engine as MysqlEngine).tablePrefix;
// The suite's second process opens the same tables through the built package.
const builtPackage = fileURLToPath(new URL('../dist/index.js', import.meta.url));

runConformance({
  name: 'mysql',
  create: () => new MysqlEngine({ uri: url(), tablePrefix: randomName('c') + '_' }),
  reopen: (engine) => new MysqlEngine({ uri: url(), tablePrefix: prefixOf(engine) }),
  openInAnotherProcess: (engine) => ({ module: builtPackage, exportName: 'MysqlEngine', args: [{ uri: url(), tablePrefix: prefixOf(engine) }] }),
  destroy: (engine) => dropTables(pool!, prefixOf(engine)),
  raw: (engine) => rawReader(pool!, (engine as MysqlEngine).tables),
});
