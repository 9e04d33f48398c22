import { describe, it } from 'vitest';
import { NotSetUpError, StorageError } from '@sessions/core';
import type { PgPool, PgPoolClient, PgQueryConfig, PgQueryResult } from '../src/index.js';
import { PostgresEngine, SCHEMA_VERSION } from '../src/index.js';
import { countingPool, PG_POOL } from '@sessions/test-support';
import { POSTGRES_URL, testPool } from './support/database.js';
import { schemaScope } from './support/schema-scope.js';

const { admin, freshSchema, schemaFromNewerRelease } = schemaScope();

async function schemaExists(schema: string): Promise<boolean> {
  const { rows } = await admin.query('SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present', [schema]);
  return rows[0].present as boolean;
}

async function relationsIn(schema: string): Promise<string[]> {
  const { rows } = await admin.query('SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 ORDER BY c.relname', [
    schema,
  ]);
  return rows.map((row) => row.relname as string);
}

describe('storedSchemaVersion', () => {
  it('is null on a schema that does not exist, asked before setup(), and creates nothing: no schema, no table, no lock', async ({ expect }) => {
    const schema = freshSchema('never_set_up');
    const pool = countingPool(testPool({ max: 1 }), PG_POOL);
    const engine = new PostgresEngine({ pool, schema });
    try {
      expect(await engine.storedSchemaVersion()).toBeNull();
      expect(await engine.storedSchemaVersion()).toBeNull();
      expect(await schemaExists(schema)).toBe(false);
      expect(pool.sent.length).toBeGreaterThan(0);
      expect(pool.sent.map((config) => config.text).join('\n')).not.toMatch(/CREATE|ALTER|INSERT|BEGIN|advisory/i);
      expect(engine.isReady).toBe(false);
      await expect(engine.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(NotSetUpError);
    } finally {
      await engine.close();
      await pool.end();
    }
  });

  it('is null in an existing schema without its tables, and leaves that schema empty', async ({ expect }) => {
    const schema = freshSchema('empty_schema');
    await admin.query(`CREATE SCHEMA "${schema}"`);
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      expect(await engine.storedSchemaVersion()).toBeNull();
      expect(await relationsIn(schema)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('is SCHEMA_VERSION after setup(), and a second engine on the same schema sees it before its own setup()', async ({ expect }) => {
    const schema = freshSchema('set_up');
    const first = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    const second = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      await first.setup();
      expect(await first.storedSchemaVersion()).toBe(SCHEMA_VERSION);
      expect(await second.storedSchemaVersion()).toBe(SCHEMA_VERSION);
      expect(second.isReady).toBe(false);
    } finally {
      await first.close();
      await second.close();
    }
  });

  it('tells a mistyped tablePrefix apart: null for a prefix that was never set up next to one that was', async ({ expect }) => {
    const schema = freshSchema('prefixes');
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema, tablePrefix: 'app_' });
    const mistyped = new PostgresEngine({ connectionString: POSTGRES_URL, schema, tablePrefix: 'ap_' });
    try {
      await engine.setup();
      const before = await relationsIn(schema);
      expect(await mistyped.storedSchemaVersion()).toBeNull();
      expect(await relationsIn(schema)).toEqual(before);
      expect(before.some((name) => name.startsWith('ap_'))).toBe(false);
    } finally {
      await engine.close();
      await mistyped.close();
    }
  });

  it('reports a version a newer release recorded as it is, where setup() would refuse it', async ({ expect }) => {
    const schema = await schemaFromNewerRelease('newer');
    const older = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      expect(await older.storedSchemaVersion()).toBe(SCHEMA_VERSION + 1);
    } finally {
      await older.close();
    }
  });

  it('is null where the version table holds no row', async ({ expect }) => {
    const schema = freshSchema('no_rows');
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      await engine.setup();
      await admin.query(`DELETE FROM ${engine.tables.schemaVersion}`);
      expect(await engine.storedSchemaVersion()).toBeNull();
    } finally {
      await engine.close();
    }
  });

  it('fails with StorageError, the driver error kept as its cause, when the server cannot be reached', async ({ expect }) => {
    const engine = new PostgresEngine({ connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: freshSchema('unreachable') });
    try {
      const error = await engine.storedSchemaVersion().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StorageError);
      expect((error as StorageError).message).toMatch(/storedSchemaVersion failed/);
      expect((error as StorageError).cause).toBeInstanceOf(Error);
      expect((error as StorageError).cause).not.toBeInstanceOf(StorageError);
    } finally {
      await engine.close();
    }
  });

  it('stops waiting for the server when the signal aborts, with its reason', async ({ expect }) => {
    let answer: (() => void) | undefined;
    const query = (_config: PgQueryConfig) => new Promise<PgQueryResult>((_resolve, reject) => (answer = () => reject(new Error('never answered'))));
    const hanging: PgPool = {
      query,
      connect: async (): Promise<PgPoolClient> => ({ query, release: () => undefined }),
      end: async () => undefined,
    };
    const engine = new PostgresEngine({ pool: hanging, schema: freshSchema('abort') });
    const controller = new AbortController();
    const reason = new Error('gave up on the server');
    try {
      const asked = engine.storedSchemaVersion({ signal: controller.signal }).catch((caught: unknown) => caught);
      await new Promise((resolve) => setImmediate(resolve));
      expect(answer).toBeDefined();
      controller.abort(reason);
      expect(await asked).toBe(reason);
    } finally {
      answer?.();
      await engine.close();
    }
  });

  it('leaves an injected pool open when the engine that asked closes', async ({ expect }) => {
    const pool = testPool({ max: 1 });
    const engine = new PostgresEngine({ pool, schema: freshSchema('injected') });
    try {
      expect(await engine.storedSchemaVersion()).toBeNull();
      await engine.close();
      const { rows } = await pool.query('SELECT 1 AS one');
      expect(rows[0].one).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
