import type mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { SchemaVersionError } from '@sessions/core';
import { LeaseModel, MessageModel, SessionModel } from '@sessions/core/engine';
import { MysqlEngine, SCHEMA_VERSION } from '../src/index.js';
import { migrationLockName } from '../src/migrations.js';
import { indexKeyBytes, MAX_INDEX_KEY_BYTES } from '../src/schema.js';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('schema');

async function setUpEngine(prefix = `${randomName('s')}_`): Promise<MysqlEngine> {
  const engine = new MysqlEngine({ uri: database.url, tablePrefix: prefix });
  await engine.setup();
  return engine;
}

describe('schema', () => {
  it('stores every text column in utf8mb4 with the binary NO PAD collation of the server', async () => {
    await using engine = await setUpEngine();
    const [rows] = await database.pool.query<mysql.RowDataPacket[]>(
      `SELECT TABLE_NAME, COLUMN_NAME, DATA_TYPE, CHARACTER_SET_NAME, COLLATION_NAME FROM information_schema.COLUMNS
       WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?, ?) AND CHARACTER_SET_NAME IS NOT NULL`,
      [engine.tables.names.sessions, engine.tables.names.messages, engine.tables.names.leases],
    );
    const textFields = [SessionModel, MessageModel, LeaseModel].flatMap((model) =>
      Object.values(model.fields).filter((field) => field.type === 'string' || field.type === 'json'),
    );
    expect(rows).toHaveLength(textFields.length);
    for (const row of rows) {
      expect(row['CHARACTER_SET_NAME']).toBe('utf8mb4');
      expect(row['COLLATION_NAME']).toBe(engine.server!.collation);
    }
  });

  it('keeps timestamps as epoch milliseconds and JSON as checked text', async () => {
    await using engine = await setUpEngine();
    const [rows] = await database.pool.query<mysql.RowDataPacket[]>(
      `SELECT COLUMN_NAME, DATA_TYPE FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?`,
      [engine.tables.names.sessions],
    );
    const types = Object.fromEntries(rows.map((row) => [row['COLUMN_NAME'], row['DATA_TYPE']]));
    expect(types).toMatchObject({ created_at: 'bigint', expires_at: 'bigint', metadata: 'longtext', title: 'varchar', last_seq: 'bigint' });
    await expect(
      database.pool.query(
        `INSERT INTO ${engine.tables.sessions} (user_id, session_id, title, metadata, state, status, created_at, updated_at, expires_at, parent_session_id, parent_seq, message_count, last_seq, version)
         VALUES ('u', 's', NULL, '{not json', '{}', 'active', 0, 0, NULL, NULL, NULL, 0, 0, 0)`,
      ),
    ).rejects.toThrow(/CONSTRAINT|check/i);
  });

  it('creates the primary keys and indexes the models define, within InnoDB key limits', async () => {
    await using engine = await setUpEngine();
    const [rows] = await database.pool.query<mysql.RowDataPacket[]>(
      `SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS columns_in_index
       FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME IN (?, ?, ?) GROUP BY TABLE_NAME, INDEX_NAME, NON_UNIQUE`,
      [engine.tables.names.sessions, engine.tables.names.messages, engine.tables.names.leases],
    );
    const indexes = rows.map((row) => `${row['TABLE_NAME']}.${row['INDEX_NAME']}${row['NON_UNIQUE'] ? '' : '!'}(${row['columns_in_index']})`).sort();
    const { sessions, messages, leases } = engine.tables.names;
    expect(indexes).toEqual(
      [
        `${sessions}.PRIMARY!(user_id,session_id)`,
        `${sessions}.sessions_user_updated(user_id,updated_at,session_id)`,
        `${sessions}.sessions_expires(expires_at)`,
        `${messages}.PRIMARY!(user_id,session_id,seq)`,
        `${messages}.messages_user_session_id!(user_id,session_id,id)`,
        `${leases}.PRIMARY!(user_id,session_id)`,
      ].sort(),
    );
    for (const model of [SessionModel, MessageModel, LeaseModel]) {
      for (const fields of [model.primaryKey, ...model.indexes.map((index) => index.fields)]) {
        expect(indexKeyBytes(model, fields)).toBeLessThanOrEqual(MAX_INDEX_KEY_BYTES);
      }
    }
  });

  it('records the schema version once', async () => {
    await using engine = await setUpEngine();
    const [rows] = await database.pool.query<mysql.RowDataPacket[]>(`SELECT id, version FROM ${engine.tables.schemaVersion}`);
    expect(rows.map((row) => [row['id'], row['version']])).toEqual([[1, SCHEMA_VERSION]]);
  });

  it('is safe when many app servers call setup() at once on a fresh database', async () => {
    const prefix = `${randomName('race')}_`;
    const engines = Array.from({ length: 6 }, () => new MysqlEngine({ uri: database.url, tablePrefix: prefix, connectionLimit: 2 }));
    try {
      await Promise.all(engines.map((engine) => engine.setup()));
      const [rows] = await database.pool.query<mysql.RowDataPacket[]>(`SELECT version FROM ${engines[0]!.tables.schemaVersion}`);
      expect(rows.map((row) => row['version'])).toEqual([SCHEMA_VERSION]);
      const key = { userId: 'u', sessionId: 's' };
      const now = new Date();
      await engines[0]!.createSession({
        ...key,
        title: null,
        metadata: {},
        state: {},
        status: 'active',
        createdAt: now,
        updatedAt: now,
        expiresAt: null,
        parentSessionId: null,
        parentSeq: null,
        messageCount: 0,
        lastSeq: 0,
        version: 0,
      });
      for (const engine of engines) expect(await engine.getSession(key)).not.toBeNull();
    } finally {
      await Promise.all(engines.map((engine) => engine.close()));
    }
  });

  it('takes no migration lock when the schema is current, so it never waits on one', async () => {
    const prefix = `${randomName('cur')}_`;
    await (await setUpEngine(prefix)).close();
    const holder = await database.pool.getConnection();
    try {
      await holder.query('SELECT GET_LOCK(?, 0)', [migrationLockName(database.name, prefix)]);
      const engine = new MysqlEngine({ uri: database.url, tablePrefix: prefix, migrationLockTimeoutMs: 0 });
      await engine.setup();
      await engine.close();
    } finally {
      await holder.query('SELECT RELEASE_LOCK(?)', [migrationLockName(database.name, prefix)]);
      holder.release();
    }
  });

  it('waits for another migration, and stops waiting when the signal aborts or the lock timeout passes', async () => {
    const prefix = `${randomName('wait')}_`;
    const holder = await database.pool.getConnection();
    await holder.query('SELECT GET_LOCK(?, 0)', [migrationLockName(database.name, prefix)]);
    try {
      const aborted = new MysqlEngine({ uri: database.url, tablePrefix: prefix });
      const reason = new Error('deploy cancelled');
      const controller = new AbortController();
      setTimeout(() => controller.abort(reason), 300);
      await expect(aborted.setup({ signal: controller.signal })).rejects.toBe(reason);
      await aborted.close();

      const impatient = new MysqlEngine({ uri: database.url, tablePrefix: prefix, migrationLockTimeoutMs: 500 });
      await expect(impatient.setup()).rejects.toThrow(/migration lock/);
      await impatient.close();
    } finally {
      await holder.query('SELECT RELEASE_LOCK(?)', [migrationLockName(database.name, prefix)]);
      holder.release();
    }
    // Once the other migration is done, setup() succeeds (it is retryable).
    const engine = new MysqlEngine({ uri: database.url, tablePrefix: prefix });
    await engine.setup();
    await engine.close();
  });

  it('refuses tables a newer version of the package migrated', async () => {
    const prefix = `${randomName('new')}_`;
    const engine = await setUpEngine(prefix);
    await engine.close();
    await database.pool.query(`UPDATE ${engine.tables.schemaVersion} SET version = ?`, [SCHEMA_VERSION + 1]);
    const older = new MysqlEngine({ uri: database.url, tablePrefix: prefix });
    const error = await older.setup().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaVersionError);
    expect(error).toMatchObject({ found: SCHEMA_VERSION + 1, supported: SCHEMA_VERSION });
    expect((error as Error).message).toMatch(/upgrade @sessions\/mysql/);
    await older.close();
  });
});
