import { SchemaVersionError } from '@sessions/core';
import { sleep } from '@sessions/core/engine';
import type { PgPool, PgPoolClient } from '../pg-client.js';
import { PG, sqlState } from '../pg-errors.js';
import { quoteIdent } from '../sql/identifiers.js';
import type { TableNames } from '../sql/tables.js';
import { TYPE_PARSERS } from '../type-parsers.js';
import type { Migration } from './migrations.js';

export interface MigrateOptions {
  readonly migrations: readonly Migration[];
  readonly signal?: AbortSignal | undefined;
}

interface RecordedSchema {
  /** The newest migration recorded, null where none is (no schema, no table, or no row). */
  readonly version: number | null;
  readonly encoding: unknown;
}

/**
 * What the database records about the schema. Read-only: it creates nothing, takes no lock,
 * and a missing schema or table is a null version (to_regclass answers null for both).
 */
async function readRecordedSchema(queryable: PgPool | PgPoolClient, names: TableNames): Promise<RecordedSchema> {
  const present = await queryable.query({
    text: "SELECT to_regclass($1) IS NOT NULL AS present, current_setting('server_encoding') AS encoding",
    values: [names.schemaVersion],
    types: TYPE_PARSERS,
  });
  const encoding = present.rows[0]?.['encoding'];
  if (!present.rows[0]?.['present']) return { version: null, encoding };
  const { rows } = await queryable.query({ text: `SELECT max(version) AS version FROM ${names.schemaVersion}`, types: TYPE_PARSERS });
  return { version: (rows[0]?.['version'] as number | null | undefined) ?? null, encoding };
}

/** The schema version `setup()` recorded in the database, null where it never ran there. Creates nothing. */
export async function readSchemaVersion(queryable: PgPool | PgPoolClient, names: TableNames): Promise<number | null> {
  return (await readRecordedSchema(queryable, names)).version;
}

/**
 * Brings the schema to the newest migration. Servers that call this at once are serialised
 * by a transaction-level advisory lock (released by COMMIT or ROLLBACK, so it cannot leak
 * through a pooled connection the way a session-level lock would); each re-reads the
 * version under the lock, so exactly one applies each migration.
 */
export async function migrate(pool: PgPool, names: TableNames, options: MigrateOptions): Promise<void> {
  const latest = options.migrations.at(-1)?.version ?? 0;
  const { signal } = options;
  signal?.throwIfAborted();
  const recorded = await readRecordedSchema(pool, names);
  // LIKE's `_` is one character, and text compares by code point, only in a UTF8 database.
  if (recorded.encoding !== 'UTF8') {
    throw new Error(`the database's encoding is ${String(recorded.encoding)}; @sessions/postgres needs a UTF8 database (CREATE DATABASE ... ENCODING 'UTF8')`);
  }
  const version = recorded.version ?? 0;
  assertNotNewer(version, latest, names);
  if (version === latest) return;

  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await lockForMigration(client, names, signal);
    await ensureSchema(client, names);
    await client.query({
      text: `CREATE TABLE IF NOT EXISTS ${names.schemaVersion} (version integer PRIMARY KEY, description text COLLATE "C" NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    });
    const current = (await readSchemaVersion(client, names)) ?? 0;
    assertNotNewer(current, latest, names);
    for (const migration of options.migrations) {
      if (migration.version <= current) continue;
      signal?.throwIfAborted();
      for (const statement of migration.statements(names)) await runDdl(client, statement, names);
      await client.query({
        text: `INSERT INTO ${names.schemaVersion} (version, description) VALUES ($1, $2)`,
        values: [migration.version, migration.description],
      });
    }
    await client.query({ text: 'COMMIT' });
  } catch (error) {
    try {
      await client.query({ text: 'ROLLBACK' });
    } catch (rollbackError) {
      broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
    }
    throw error;
  } finally {
    client.release(broken);
  }
}

/**
 * Opens the migration transaction holding the advisory lock. It polls with the non-blocking
 * variant so that an aborted signal ends the wait at once instead of after the other
 * server's migration.
 */
async function lockForMigration(client: PgPoolClient, names: TableNames, signal: AbortSignal | undefined): Promise<void> {
  const key = `@sessions/postgres ${names.schema}.${names.prefix}`;
  let backoffMs = 10;
  for (;;) {
    signal?.throwIfAborted();
    await client.query({ text: 'BEGIN ISOLATION LEVEL READ COMMITTED' });
    const { rows } = await client.query({ text: 'SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked', values: [key], types: TYPE_PARSERS });
    if (rows[0]?.['locked']) return;
    await client.query({ text: 'ROLLBACK' });
    await sleep(backoffMs * (0.5 + Math.random()), signal);
    backoffMs = Math.min(backoffMs * 2, 200);
  }
}

async function ensureSchema(client: PgPoolClient, names: TableNames): Promise<void> {
  const { rows } = await client.query({
    text: 'SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1) AS present',
    values: [names.schema],
    types: TYPE_PARSERS,
  });
  // Only when missing: CREATE SCHEMA IF NOT EXISTS still needs the CREATE privilege on the database.
  if (!rows[0]?.['present']) await client.query({ text: `CREATE SCHEMA ${quoteIdent(names.schema)}` });
}

async function runDdl(client: PgPoolClient, statement: string, names: TableNames): Promise<void> {
  try {
    await client.query({ text: statement });
  } catch (error) {
    const code = sqlState(error);
    if (code === PG.duplicateTable || code === PG.duplicateObject) {
      throw new Error(
        `${(error as Error).message}: the schema "${names.schema}" already holds an object of that name that @sessions/postgres did not create; choose another schema or tablePrefix`,
        { cause: error },
      );
    }
    throw error;
  }
}

function assertNotNewer(version: number, latest: number, names: TableNames): void {
  if (version > latest) {
    throw new SchemaVersionError('@sessions/postgres', `the tables in schema "${names.schema}" (prefix "${names.prefix}")`, version, latest);
  }
}
