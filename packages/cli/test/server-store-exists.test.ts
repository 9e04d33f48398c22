import { createEngine, SessionManager } from '@sessions/core';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './support/run-cli.js';
import { dropLater, dropStores, mysqlStore, postgresStore, redisStore, trackedStore, type TestStore } from './support/test-stores.js';

// Commands that only read or delete must not let setup() create a store a typo named.

afterAll(dropStores);

const server = async (make: () => Promise<TestStore>): Promise<string> => (await trackedStore(make)).url;

/** What really is on the server under a store URL, read without any adapter. */
const leftBehind = {
  async postgres(url: string): Promise<string[]> {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema')!;
    parsed.searchParams.delete('schema');
    const client = new pg.Client({ connectionString: parsed.toString() });
    await client.connect();
    try {
      const schemas = await client.query('SELECT schema_name FROM information_schema.schemata WHERE schema_name = $1', [schema]);
      const tables = await client.query('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [schema]);
      // An empty schema made by the test is expected; a mistyped one must not appear.
      const created = schema.startsWith('missing_') ? schemas.rows.map((row) => `schema ${row.schema_name}`) : [];
      return [...created, ...tables.rows.map((row) => `table ${row.table_name}`)];
    } finally {
      await client.end();
    }
  },
  async mysql(url: string): Promise<string[]> {
    const connection = await mysql.createConnection({ uri: url.replace(/\?.*$/, '') });
    try {
      const [rows] = await connection.query<mysql.RowDataPacket[]>('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()');
      return rows.map((row) => `table ${row['name']}`);
    } finally {
      await connection.end();
    }
  },
  async redis(url: string): Promise<string[]> {
    const prefix = new URL(url).searchParams.get('prefix')!;
    const client = new Redis(url.replace(/\?.*$/, ''));
    try {
      return await client.keys(`${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`);
    } finally {
      client.disconnect();
    }
  },
};

async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url.replace(/\?.*$/, '') });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

const backends = [
  {
    name: 'PostgreSQL, a schema that does not exist',
    missing: async () => {
      const url = new URL(await server(postgresStore));
      const schema = `missing_${Math.random().toString(36).slice(2, 10)}`;
      url.searchParams.set('schema', schema);
      dropLater(() => dropSchema(url.toString(), schema));
      return url.toString();
    },
    leftBehind: leftBehind.postgres,
  },
  { name: 'PostgreSQL, an empty schema', missing: () => server(postgresStore), leftBehind: leftBehind.postgres },
  { name: 'MySQL, a table prefix never set up', missing: () => server(mysqlStore), leftBehind: leftBehind.mysql },
  { name: 'Redis, a key prefix never set up', missing: () => server(redisStore), leftBehind: leftBehind.redis },
];

describe.each(backends)('read-only commands on $name', ({ missing, leftBehind }) => {
  it('ls, show, export, doctor, prune and delete-user refuse with exit 4 and create nothing', async () => {
    const url = await missing();
    for (const argv of [
      ['ls', url],
      ['show', url, 'alice', 'chat_1'],
      ['export', url],
      ['doctor', url],
      ['prune', url, '--older-than', '30d', '--archive', '--yes'],
      ['delete-user', url, 'alice', '--yes'],
    ]) {
      const result = await cli(argv);
      expect(result.code, argv.join(' ')).toBe(4);
      expect(result.stderr).toMatch(/error: there is no store at .+: no sessions store was ever set up there\n {2}hint: check the URL/);
    }
    expect(await leftBehind(url)).toEqual([]);
  });

  it('migrate --dry-run counts a missing target as empty and creates nothing', async () => {
    const source = await server(postgresStore);
    {
      await using engine = await createEngine(source);
      await engine.setup();
      await new SessionManager({ engine }).create({ userId: 'alice', sessionId: 'chat_1' });
    }
    const target = await missing();

    const result = await cli(['migrate', source, target, '--dry-run', '--json']);

    expect(result.code).toBe(0);
    expect(await leftBehind(target)).toEqual([]);
  });

  it('still open a store that was set up, even an empty one', async () => {
    const url = await missing();
    {
      await using engine = await createEngine(url);
      await engine.setup();
    }
    expect((await cli(['ls', url])).code).toBe(0);

    {
      await using engine = await createEngine(url);
      await engine.setup();
      await new SessionManager({ engine }).create({ userId: 'alice', sessionId: 'chat_1' });
    }
    const shown = await cli(['show', url, 'alice', 'chat_1', '--json']);
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout).session).toMatchObject({ userId: 'alice', sessionId: 'chat_1' });
  });
});

describe('a store on a server that does not answer', () => {
  it('is "cannot connect" (exit 6), not "no such store"', async () => {
    const result = await cli(['ls', 'postgres://postgres@127.0.0.1:1/test?schema=anything']);
    expect(result.code).toBe(6);
    expect(result.stderr).toMatch(/cannot open the store/);
  });
});
