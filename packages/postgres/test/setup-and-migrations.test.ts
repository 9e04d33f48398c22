import { describe, it } from 'vitest';
import { MessageExistsError, SchemaVersionError, SessionManager } from '@sessions/core';
import { countingPool, PG_POOL } from '@sessions/test-support';
import { PostgresEngine, SCHEMA_VERSION } from '../src/index.js';
import { migrate, readSchemaVersion } from '../src/schema/migrate.js';
import { MIGRATIONS, type Migration } from '../src/schema/migrations.js';
import { tableNames } from '../src/sql/tables.js';
import { POSTGRES_URL, testPool } from './support/database.js';
import { schemaScope } from './support/schema-scope.js';

const { admin, freshSchema, schemaFromNewerRelease } = schemaScope();

async function versionRows(schema: string): Promise<number[]> {
  const { rows } = await admin.query(`SELECT version FROM ${tableNames(schema, '').schemaVersion} ORDER BY version`);
  return rows.map((row) => row.version as number);
}

describe('setup', () => {
  it('is safe when eight app servers (separate pools) call it at once on an empty schema', async ({ expect }) => {
    const schema = freshSchema('concurrent_setup');
    const engines = Array.from({ length: 8 }, () => new PostgresEngine({ connectionString: POSTGRES_URL, schema, poolSize: 2 }));
    try {
      const results = await Promise.allSettled(engines.map((engine) => engine.setup()));
      expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
      expect(await versionRows(schema)).toEqual(MIGRATIONS.map((migration) => migration.version));
      const sessions = new SessionManager({ engine: engines[3]! });
      await sessions.create({ userId: 'u', sessionId: 's', messages: [{ role: 'user', content: 'after concurrent setup' }] });
      expect(await engines[6]!.readMessages({ userId: 'u', sessionId: 's' })).toHaveLength(1);
    } finally {
      await Promise.all(engines.map((engine) => engine.close()));
    }
  });

  it('holds no advisory lock once it is done, on any pooled connection', async ({ expect }) => {
    const schema = freshSchema('no_lock_leak');
    const pool = testPool({ max: 3, application_name: schema.slice(0, 60) });
    const engine = new PostgresEngine({ pool, schema });
    try {
      await engine.setup();
      const { rows } = await admin.query(
        `SELECT count(*)::int AS held FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid WHERE l.locktype = 'advisory' AND a.application_name = $1`,
        [schema.slice(0, 60)],
      );
      expect(rows[0].held).toBe(0);
    } finally {
      await engine.close();
      await pool.end();
    }
  });

  it('is idempotent and cheap once the schema is current: two reads, no DDL', async ({ expect }) => {
    const schema = freshSchema('idempotent');
    const first = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    await first.setup();
    await first.close();
    const pool = testPool();
    const counting = countingPool(pool, PG_POOL);
    const second = new PostgresEngine({ pool: counting, schema });
    try {
      await second.setup();
      expect(counting.sent).toHaveLength(2);
      expect(counting.sent.map((config) => config.text).join(' ')).not.toMatch(/CREATE|ALTER|advisory/i);
    } finally {
      await second.close();
      await pool.end();
    }
  });

  it('creates text columns with the "C" collation, whatever the database default is', async ({ expect }) => {
    const schema = freshSchema('collation');
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      await engine.setup();
      const { rows } = await admin.query(
        `SELECT c.relname AS table_name, a.attname AS column_name, co.collname
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_collation co ON co.oid = a.attcollation
         WHERE n.nspname = $1 AND c.relkind = 'r' AND a.attnum > 0 AND t.typcategory = 'S'`,
        [schema],
      );
      expect(rows.length).toBeGreaterThan(10);
      expect(rows.filter((row) => row.collname !== 'C')).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('stops at an aborted signal with its reason', async ({ expect }) => {
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema: freshSchema('abort') });
    const controller = new AbortController();
    const reason = new Error('shutting down');
    controller.abort(reason);
    try {
      await expect(engine.setup({ signal: controller.signal })).rejects.toBe(reason);
    } finally {
      await engine.close();
    }
  });

  it("stops waiting for another server's migration when the signal aborts", async ({ expect }) => {
    const schema = freshSchema('abort_wait');
    const names = tableNames(schema, '');
    const blocker = await admin.connect();
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      await blocker.query('BEGIN');
      await blocker.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`@sessions/postgres ${names.schema}.${names.prefix}`]);
      const controller = new AbortController();
      const setup = engine.setup({ signal: controller.signal });
      setTimeout(() => controller.abort(new Error('gave up waiting')), 200);
      await expect(setup).rejects.toThrow('gave up waiting');
      await blocker.query('ROLLBACK');
      await engine.setup();
      expect(await versionRows(schema)).toEqual(MIGRATIONS.map((migration) => migration.version));
    } finally {
      blocker.release();
      await engine.close();
    }
  });

  it('refuses a schema that a newer version of the package migrated, saying to upgrade', async ({ expect }) => {
    const schema = await schemaFromNewerRelease('newer');
    const older = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      const error = await older.setup().catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(SchemaVersionError);
      expect((error as Error).message).toMatch(/this @sessions\/postgres reads version \d+: upgrade @sessions\/postgres/);
    } finally {
      await older.close();
    }
  });

  it('explains a clash with a table it did not create instead of using it', async ({ expect }) => {
    const schema = freshSchema('clash');
    await admin.query(`CREATE SCHEMA "${schema}"`);
    await admin.query(`CREATE TABLE "${schema}"."sessions" (id serial PRIMARY KEY, data text)`);
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      await expect(engine.setup()).rejects.toThrow(/did not create; choose another schema or tablePrefix/);
      expect(await readSchemaVersion(admin as never, tableNames(schema, ''))).toBeNull();
    } finally {
      await engine.close();
    }
  });
});

describe('migrations', () => {
  const nextMigration: Migration = {
    version: SCHEMA_VERSION + 1,
    description: 'test: index messages by run',
    statements: (names) => [`CREATE INDEX "${names.local('messages_run')}" ON ${names.messages} ("run_id")`],
  };

  it('upgrade a populated schema in place, once, when several servers start the new version at once', async ({ expect }) => {
    const schema = freshSchema('upgrade');
    const names = tableNames(schema, '');
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    await engine.setup();
    const sessions = new SessionManager({ engine });
    const key = { userId: 'u', sessionId: 'kept' };
    await sessions.create({ ...key, title: 'before the upgrade', messages: [{ role: 'user', content: 'kept' }] });
    const pools = Array.from({ length: 4 }, () => testPool({ max: 1 }));
    try {
      await Promise.all(pools.map((pool) => migrate(pool, names, { migrations: [...MIGRATIONS, nextMigration] })));
      expect(await versionRows(schema)).toEqual([...MIGRATIONS.map((migration) => migration.version), nextMigration.version]);
      const { rows } = await admin.query('SELECT count(*)::int AS n FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schema, 'messages_run']);
      expect(rows[0].n).toBe(1);
      expect((await sessions.get(key))?.title).toBe('before the upgrade');
      expect((await sessions.messages(key)).map((message) => message.content)).toEqual(['kept']);
    } finally {
      await engine.close();
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('moves a version 1 store to the md5 message id index in place, keeping its messages and refusing their ids again', async ({ expect }) => {
    const schema = freshSchema('v1_upgrade');
    const names = tableNames(schema, '');
    const pool = testPool({ max: 1 });
    const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
    try {
      await migrate(pool, names, { migrations: MIGRATIONS.slice(0, 1) });
      const key = { userId: 'u', sessionId: 'from-v1' };
      await admin.query(
        `INSERT INTO ${names.sessions} (user_id, session_id, metadata, state, status, created_at, updated_at, message_count, last_seq, version) VALUES ($1, $2, '{}', '{}', 'active', now(), now(), 1, 1, 0)`,
        [key.userId, key.sessionId],
      );
      await admin.query(
        `INSERT INTO ${names.messages} (user_id, session_id, seq, id, role, content, metadata, created_at) VALUES ($1, $2, 1, 'm1', 'user', '"hi"', '{}', now())`,
        [key.userId, key.sessionId],
      );

      await engine.setup();
      expect(await versionRows(schema)).toEqual(MIGRATIONS.map((migration) => migration.version));
      const { rows } = await admin.query('SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = $2', [schema, 'messages_user_session_id']);
      expect(rows.map((row) => row.indexdef)).toEqual([expect.stringMatching(/UNIQUE INDEX .*\(user_id, session_id, md5\(\(id\)::text\)\)/)]);
      const sessions = new SessionManager({ engine });
      expect((await sessions.messages(key)).map((message) => [message.seq, message.id, message.content])).toEqual([[1, 'm1', 'hi']]);
      await expect(sessions.append(key, { id: 'm1', role: 'user', content: 'again' })).rejects.toBeInstanceOf(MessageExistsError);
      expect((await sessions.append(key, { id: 'm2', role: 'user', content: 'new' }))[0]?.seq).toBe(2);
    } finally {
      await engine.close();
      await pool.end();
    }
  });

  it('roll back a migration that fails, leaving the previous version intact', async ({ expect }) => {
    const schema = freshSchema('failed_upgrade');
    const names = tableNames(schema, '');
    const pool = testPool({ max: 1 });
    try {
      await migrate(pool, names, { migrations: MIGRATIONS });
      const broken: Migration = { version: SCHEMA_VERSION + 1, description: 'test: broken', statements: () => ['CREATE INDEX ON no_such_table (x)'] };
      await expect(migrate(pool, names, { migrations: [...MIGRATIONS, broken] })).rejects.toThrow(/no_such_table/);
      expect(await versionRows(schema)).toEqual(MIGRATIONS.map((migration) => migration.version));
    } finally {
      await pool.end();
    }
  });
});
