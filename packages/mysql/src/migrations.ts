import { createHash } from 'node:crypto';
import { SchemaVersionError } from '@sessions/core';
import { assertDatabaseSelected, NOW_MS, type Dialect } from './dialect.js';
import { select, write, type MysqlPoolConnection, type MysqlQueryable } from './driver.js';
import { createSchemaSql } from './schema.js';
import type { Tables } from './tables.js';

interface Migration {
  readonly version: number;
  readonly description: string;
  statements(tables: Tables, dialect: Dialect): string[];
}

/** Every schema change, in order. A migration's statements must be safe to run again after a crash. */
const MIGRATIONS: readonly Migration[] = [{ version: 1, description: 'sessions, messages and leases tables', statements: createSchemaSql }];

/** The schema version this package writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export interface MigrateOptions {
  readonly tables: Tables;
  readonly dialect: Dialect;
  readonly database: string;
  readonly tablePrefix: string;
  readonly lockTimeoutMs: number;
  readonly signal: AbortSignal | undefined;
}

/**
 * Brings the schema to `SCHEMA_VERSION`. DDL commits implicitly, so a row lock cannot serialise
 * it; a named lock (GET_LOCK) held on this one dedicated connection for the length of the
 * migration does, and is released before the connection goes back to the pool. When the schema
 * is already current (every start after the first) no lock is taken at all.
 */
export async function migrate(connection: MysqlPoolConnection, options: MigrateOptions): Promise<void> {
  const { tables } = options;
  if ((await currentVersion(connection, tables)) === SCHEMA_VERSION) return;
  const lockName = migrationLockName(options.database, options.tablePrefix);
  await takeLock(connection, lockName, options);
  try {
    await connection.query(
      `CREATE TABLE IF NOT EXISTS ${tables.schemaVersion} (id TINYINT UNSIGNED NOT NULL PRIMARY KEY, version INT UNSIGNED NOT NULL, migrated_at BIGINT NOT NULL) ENGINE=InnoDB`,
    );
    const current = (await currentVersion(connection, tables)) ?? 0;
    if (current > SCHEMA_VERSION) {
      throw new SchemaVersionError(
        '@sessions/mysql',
        `the tables ${tables.names.sessions}, ${tables.names.messages} and ${tables.names.leases}`,
        current,
        SCHEMA_VERSION,
      );
    }
    for (const migration of MIGRATIONS) {
      if (migration.version <= current) continue;
      for (const statement of migration.statements(tables, options.dialect)) await connection.query(statement);
      await write(
        connection,
        `INSERT INTO ${tables.schemaVersion} (id, version, migrated_at) VALUES (1, ?, ${NOW_MS}) ON DUPLICATE KEY UPDATE version = ?, migrated_at = ${NOW_MS}`,
        [migration.version, migration.version],
      );
    }
  } finally {
    await select(connection, 'SELECT RELEASE_LOCK(?)', [lockName]);
  }
}

/**
 * The recorded schema version, or null when none is: the version table does not exist, or a
 * first setup() was cut short between creating it and recording a version. Reads only.
 */
async function currentVersion(connection: MysqlQueryable, tables: Tables): Promise<number | null> {
  const [exists] = await select(connection, 'SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ?', [
    tables.names.schemaVersion,
  ]);
  if (Number(exists?.[0]) === 0) return null;
  const [row] = await select(connection, `SELECT version FROM ${tables.schemaVersion} WHERE id = 1`, []);
  return row ? Number(row[0]) : null;
}

/**
 * The version setup() recorded in the connection's database, or null where it never ran. Creates
 * nothing and takes no lock, so it is safe before setup() and on a database that is not ours.
 */
export async function storedSchemaVersion(connection: MysqlQueryable, tables: Tables): Promise<number | null> {
  // Without a selected database information_schema would find no table and the answer would be
  // a misleading null; setup() refuses such a connection too.
  const [row] = await select(connection, 'SELECT DATABASE()', []);
  assertDatabaseSelected(row?.[0]);
  return currentVersion(connection, tables);
}

/** Named locks are server-wide and at most 64 characters, so the name hashes database and prefix. */
export function migrationLockName(database: string, tablePrefix: string): string {
  const digest = createHash('sha256').update(`${database}\u0000${tablePrefix}`).digest('hex').slice(0, 40);
  return `sessions_migrate_${digest}`;
}

async function takeLock(connection: MysqlPoolConnection, lockName: string, options: MigrateOptions): Promise<void> {
  const giveUpAt = Date.now() + options.lockTimeoutMs;
  for (;;) {
    options.signal?.throwIfAborted();
    // Wait at most a second per try so an abort is noticed; the connection is never left
    // waiting (or holding the lock) after we return.
    const [row] = await select(connection, 'SELECT GET_LOCK(?, 1)', [lockName]);
    const granted = row?.[0];
    if (granted === 1 || granted === '1') {
      if (options.signal?.aborted) {
        await select(connection, 'SELECT RELEASE_LOCK(?)', [lockName]);
        options.signal.throwIfAborted();
      }
      return;
    }
    if (granted === null || granted === undefined) throw new Error(`GET_LOCK(${lockName}) failed`);
    if (Date.now() >= giveUpAt) {
      throw new Error(`another setup() has held the migration lock ${lockName} for over ${options.lockTimeoutMs} ms; retry setup() when it finishes`);
    }
  }
}
