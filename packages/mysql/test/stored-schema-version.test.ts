import mysql from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { EngineClosedError, NotSetUpError, SchemaVersionError, StorageError, ValidationError } from '@sessions/core';
import { MysqlEngine, SCHEMA_VERSION } from '../src/index.js';
import { migrationLockName } from '../src/migrations.js';
import { countingPool, MYSQL2_POOL } from '@sessions/test-support';
import { randomName, useTestDatabase } from './support/database.js';

const database = await useTestDatabase('stored_version');

/** Every table and routine in the test database whose name starts with `prefix`, read from the server directly. */
async function objectsWithPrefix(prefix: string): Promise<string[]> {
  const [rows] = await database.pool.query<mysql.RowDataPacket[]>(
    `SELECT TABLE_NAME AS name FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND LEFT(TABLE_NAME, ?) = ?
     UNION ALL SELECT ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE() AND LEFT(ROUTINE_NAME, ?) = ?`,
    [prefix.length, prefix, prefix.length, prefix],
  );
  return rows.map((row) => String(row['name'])).sort();
}

async function databaseExists(name: string): Promise<boolean> {
  const [rows] = await database.pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
  return Number(rows[0]!['n']) > 0;
}

describe('storedSchemaVersion()', () => {
  it('is null on tables never set up, asked before setup(), and creates nothing, locks nothing and writes nothing', async () => {
    const tablePrefix = `${randomName('v')}_`;
    const inner = mysql.createPool({ uri: database.url, connectionLimit: 2 });
    const pool = countingPool(inner, MYSQL2_POOL);
    try {
      await using engine = new MysqlEngine({ pool, tablePrefix });
      expect(await engine.storedSchemaVersion()).toBeNull();
      expect(await engine.storedSchemaVersion()).toBeNull();
      expect(await objectsWithPrefix(tablePrefix)).toEqual([]);
      expect(pool.sent.length).toBeGreaterThan(0);
      for (const statement of pool.sent) expect(statement).toMatch(/^\s*SELECT\b/i);
      expect(pool.sent.join('\n')).not.toMatch(/GET_LOCK|CREATE|INSERT/i);
      // Nobody holds the migration lock: asking took none and left none behind.
      const [rows] = await database.pool.query<mysql.RowDataPacket[]>('SELECT IS_USED_LOCK(?) AS holder', [migrationLockName(database.name, tablePrefix)]);
      expect(rows[0]!['holder']).toBeNull();
      // Asking is not setting up.
      expect(engine.isReady).toBe(false);
      await expect(engine.getSession({ userId: 'u', sessionId: 's' })).rejects.toBeInstanceOf(NotSetUpError);
    } finally {
      await inner.end();
    }
  });

  it('is SCHEMA_VERSION after setup(), as recorded in the version table', async () => {
    const tablePrefix = `${randomName('v')}_`;
    await using engine = new MysqlEngine({ uri: database.url, tablePrefix });
    await engine.setup();
    expect(await engine.storedSchemaVersion()).toBe(SCHEMA_VERSION);
    const [rows] = await database.pool.query<mysql.RowDataPacket[]>(`SELECT version FROM ${engine.tables.schemaVersion} WHERE id = 1`);
    expect(Number(rows[0]!['version'])).toBe(SCHEMA_VERSION);
  });

  it('works on an engine whose first call it is, then setup() on the same engine still sets up', async () => {
    const tablePrefix = `${randomName('v')}_`;
    await using engine = new MysqlEngine({ uri: database.url, tablePrefix });
    const [before] = await Promise.all([engine.storedSchemaVersion(), engine.setup()]);
    // Asked while setup() ran: either answer is a true one, and nothing broke.
    expect([null, SCHEMA_VERSION]).toContain(before);
    expect(await engine.storedSchemaVersion()).toBe(SCHEMA_VERSION);
    expect(await engine.getSession({ userId: 'u', sessionId: 's' })).toBeNull();
  });

  it('is seen by a second engine on the same tables before its own setup()', async () => {
    const tablePrefix = `${randomName('v')}_`;
    await using first = new MysqlEngine({ uri: database.url, tablePrefix });
    await first.setup();
    await using second = new MysqlEngine({ uri: database.url, tablePrefix });
    expect(await second.storedSchemaVersion()).toBe(SCHEMA_VERSION);
    expect(second.isReady).toBe(false);
    // Tables of another prefix in the same database are not mistaken for these.
    await using other = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('w')}_` });
    expect(await other.storedSchemaVersion()).toBeNull();
  });

  it('reports a version recorded by a newer release, which setup() then refuses', async () => {
    const tablePrefix = `${randomName('v')}_`;
    await using first = new MysqlEngine({ uri: database.url, tablePrefix });
    await first.setup();
    await database.pool.query(`UPDATE ${first.tables.schemaVersion} SET version = ? WHERE id = 1`, [SCHEMA_VERSION + 7]);
    await using second = new MysqlEngine({ uri: database.url, tablePrefix });
    expect(await second.storedSchemaVersion()).toBe(SCHEMA_VERSION + 7);
    await expect(second.setup()).rejects.toBeInstanceOf(SchemaVersionError);
  });

  it('is null when a first setup() was cut short between creating the version table and recording a version', async () => {
    const tablePrefix = `${randomName('v')}_`;
    await using engine = new MysqlEngine({ uri: database.url, tablePrefix });
    await database.pool.query(
      `CREATE TABLE \`${tablePrefix}schema_version\` (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, version INT UNSIGNED NOT NULL, migrated_at BIGINT NOT NULL) ENGINE=InnoDB`,
    );
    expect(await engine.storedSchemaVersion()).toBeNull();
    // The next setup() completes the migration and records it.
    await engine.setup();
    expect(await engine.storedSchemaVersion()).toBe(SCHEMA_VERSION);
  });

  it('fails with StorageError carrying the driver error when the server cannot be reached, and close() still works', async () => {
    const engine = new MysqlEngine({ uri: 'mysql://root@127.0.0.1:1/test', tablePrefix: 'unreachable_', poolOptions: { connectTimeout: 5_000 } });
    const error = await engine.storedSchemaVersion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect((error as StorageError).message).toMatch(/\[mysql\] storedSchemaVersion failed/);
    expect((error as StorageError).cause).toBeInstanceOf(Error);
    expect(((error as StorageError).cause as { code?: string }).code).toBe('ECONNREFUSED');
    await engine.close();
    await expect(engine.storedSchemaVersion()).rejects.toBeInstanceOf(EngineClosedError);
  });

  it('fails with StorageError on a database that does not exist, and does not create it', async () => {
    const missing = randomName('sessions_test_missing_');
    const url = new URL(database.url);
    url.pathname = `/${missing}`;
    await using engine = new MysqlEngine({ uri: url.toString() });
    const error = await engine.storedSchemaVersion().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageError);
    expect(String(((error as StorageError).cause as Error).message)).toMatch(/unknown database/i);
    expect(await databaseExists(missing)).toBe(false);
  });

  it('refuses a pool that selected no database with ValidationError rather than answering null', async () => {
    const url = new URL(database.url);
    url.pathname = '/';
    const pool = mysql.createPool({ uri: url.toString(), connectionLimit: 1 });
    try {
      await using engine = new MysqlEngine({ pool });
      await expect(engine.storedSchemaVersion()).rejects.toBeInstanceOf(ValidationError);
    } finally {
      await pool.end();
    }
  });

  it('close() ends the pool the question opened, when setup() never ran', async () => {
    const connections = async () => {
      const [rows] = await database.pool.query<mysql.RowDataPacket[]>('SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE DB = ?', [database.name]);
      return Number(rows[0]!['n']);
    };
    const before = await connections();
    const engine = new MysqlEngine({ uri: database.url, tablePrefix: `${randomName('v')}_` });
    expect(await engine.storedSchemaVersion()).toBeNull();
    // The server may still be ending a connection of an earlier test: wait for the count to settle.
    await expect.poll(connections, { timeout: 10_000 }).toBe(before + 1);
    await engine.close();
    await expect.poll(connections, { timeout: 10_000 }).toBe(before);
  });

  it('never closes an injected pool, and rejects with the reason of an aborted signal', async () => {
    const pool = mysql.createPool({ uri: database.url, connectionLimit: 1 });
    try {
      const engine = new MysqlEngine({ pool, tablePrefix: `${randomName('v')}_` });
      const reason = new Error('stop');
      const controller = new AbortController();
      controller.abort(reason);
      await expect(engine.storedSchemaVersion({ signal: controller.signal })).rejects.toBe(reason);
      expect(await engine.storedSchemaVersion()).toBeNull();
      await engine.close();
      const [rows] = await pool.query<mysql.RowDataPacket[]>('SELECT 1 AS one');
      expect(rows[0]!['one']).toBe(1);
    } finally {
      await pool.end();
    }
  });
});
