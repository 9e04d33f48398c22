import { afterAll, beforeAll } from 'vitest';
import type pg from 'pg';
import { dropSchema, randomSchema, requirePostgres, testPool } from './database.js';

export interface SchemaScope {
  /** A pool of the test file's own, for checking what the server holds. */
  admin: pg.Pool;
  /** A schema name no other run uses, dropped after the file. */
  freshSchema(label: string): string;
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
  return {
    admin,
    freshSchema(label) {
      const schema = randomSchema(label);
      schemas.push(schema);
      return schema;
    },
  };
}
