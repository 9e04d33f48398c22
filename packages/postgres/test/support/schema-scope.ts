import { afterAll, beforeAll } from 'vitest';
import type pg from 'pg';
import { PostgresEngine, SCHEMA_VERSION } from '../../src/index.js';
import { tableNames } from '../../src/sql/tables.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres, testPool } from './database.js';

export interface SchemaScope {
  /** A pool of the test file's own, for checking what the server holds. */
  admin: pg.Pool;
  /** A schema name no other run uses, dropped after the file. */
  freshSchema(label: string): string;
  /** A fresh schema set up by this release, then marked as migrated by the next one. */
  schemaFromNewerRelease(label: string): Promise<string>;
}

/**
 * Registers a test file's hooks: fail at once, saying how to start PostgreSQL, when there is no
 * server; after the file, close the admin pool and drop every schema the tests named.
 */
export function schemaScope(): SchemaScope {
  const schemas: string[] = [];
  const admin = testPool({ max: 2 });
  beforeAll(requirePostgres);
  afterAll(async () => {
    await admin.end();
    for (const schema of schemas) await dropSchema(schema);
  });
  const freshSchema = (label: string): string => {
    const schema = randomSchema(label);
    schemas.push(schema);
    return schema;
  };
  return {
    admin,
    freshSchema,
    async schemaFromNewerRelease(label) {
      const schema = freshSchema(label);
      const engine = new PostgresEngine({ connectionString: POSTGRES_URL, schema });
      await engine.setup();
      await engine.close();
      await admin.query(`INSERT INTO ${tableNames(schema, '').schemaVersion} (version, description) VALUES ($1, 'from the future')`, [SCHEMA_VERSION + 1]);
      return schema;
    },
  };
}
