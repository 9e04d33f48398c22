import { SchemaVersionError } from '@sessions/core';
import type { SqliteDatabase } from '../database.js';
import { quoteIdentifier } from '../sql/identifier.js';
import { columnType, createModelSql } from './ddl.js';
import { storedModels, type TableNames } from './tables.js';

interface Migration {
  readonly version: number;
  readonly description: string;
  up(db: SqliteDatabase, tables: TableNames, prefix: string): void;
}

/**
 * Every schema change, in order. A database records each version it has applied, so a
 * newer release adds a migration here and `setup()` brings older files up to date in place.
 */
const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'sessions, messages and leases tables with their indexes',
    up(db, tables, prefix) {
      const statements = storedModels(tables).map(([model, table]) => createModelSql(model, table, prefix));
      for (const { table } of statements) db.exec(table);
      // A same-named table that already existed is someone else's: say so before indexing it.
      verifySchema(db, tables);
      for (const { indexes } of statements) for (const index of indexes) db.exec(index);
    },
  },
];

/** The schema version this release writes and understands. */
export const SCHEMA_VERSION = MIGRATIONS.at(-1)!.version;

export interface MigrationResult {
  readonly from: number;
  readonly to: number;
}

/**
 * Brings the schema to `SCHEMA_VERSION`. The caller runs this inside one `BEGIN IMMEDIATE`
 * transaction, so two processes setting up the same file at once apply each migration once:
 * the second waits for the write lock, then finds the work done.
 */
export function migrate(db: SqliteDatabase, tables: TableNames, prefix: string, now: number): MigrationResult {
  const versionTable = quoteIdentifier(tables.schemaVersion);
  db.exec(`CREATE TABLE IF NOT EXISTS ${versionTable} (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL, description TEXT NOT NULL) STRICT`);
  const from = readSchemaVersion(db, tables) ?? 0;
  if (from > SCHEMA_VERSION) {
    throw new SchemaVersionError('@sessions/sqlite', 'the database', from, SCHEMA_VERSION);
  }
  const record = db.prepare(`INSERT INTO ${versionTable} (version, applied_at, description) VALUES (?, ?, ?)`);
  for (const migration of MIGRATIONS) {
    if (migration.version <= from) continue;
    migration.up(db, tables, prefix);
    record.run(migration.version, now, migration.description);
  }
  verifySchema(db, tables);
  return { from, to: SCHEMA_VERSION };
}

/**
 * The newest schema version recorded in the database, or null where no migration was ever
 * recorded (no version table, or an empty one). Only reads: `storedSchemaVersion()` asks this
 * of files that were never set up, and must leave them as they are.
 */
export function readSchemaVersion(db: SqliteDatabase, tables: TableNames): number | null {
  // SQLite matches identifiers case-insensitively, so the lookup does too: a table that
  // CREATE TABLE IF NOT EXISTS would take for the version table counts as it here.
  const exists = db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE`).get(tables.schemaVersion);
  if (exists === undefined) return null;
  const row = db.prepare(`SELECT max(version) AS version FROM ${quoteIdentifier(tables.schemaVersion)}`).get() as { version: number | null };
  return row.version;
}

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
}

/**
 * Checks the live tables against the models, so a same-named table from another program
 * (an express `sessions` table, say) is reported clearly instead of failing later.
 */
function verifySchema(db: SqliteDatabase, tables: TableNames): void {
  for (const [model, table] of storedModels(tables)) {
    const columns = new Map(
      (db.prepare(`SELECT name, type, "notnull" FROM pragma_table_info(?)`).all(table) as ColumnInfo[]).map((column) => [column.name, column]),
    );
    for (const field of Object.values(model.fields)) {
      const live = columns.get(field.column);
      if (!live || live.type.toUpperCase() !== columnType(field) || Boolean(live.notnull) === field.nullable) {
        throw new Error(
          `table ${JSON.stringify(table)} does not have the layout @sessions/sqlite expects (column ${JSON.stringify(field.column)} ${live ? 'has another type' : 'is missing'}); ` +
            'if another program owns that table, pass a tablePrefix',
        );
      }
    }
  }
}
