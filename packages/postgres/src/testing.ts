import { ValidationError } from '@sessions/core';
import { requireTestServer, testServerUrl, uniqueTestName } from '@sessions/core/testing';
import pg from 'pg';
import type { PostgresEngineOptions } from './options.js';
import { PostgresEngine } from './postgres-engine.js';
import { MAX_IDENTIFIER_BYTES, NAME_PART, quoteIdent } from './sql/identifiers.js';

export interface CreateTestStoreOptions {
  /** The server. Default `SESSIONS_TEST_POSTGRES_URL`, else `postgres://postgres@127.0.0.1:5432/test`. */
  url?: string;
  /** Start of the random schema name (letters, digits, `_`). Default `sessions_test_`. */
  prefix?: string;
}

/** A schema of its own on a real PostgreSQL server, for one test file or test. */
export interface PostgresTestStore extends AsyncDisposable {
  /** The store's URL for `createEngine` or `fromUrl` (the server URL with `?schema=`). */
  readonly url: string;
  /** The random schema's name. */
  readonly schema: string;
  /** A new engine on the schema, not set up yet. You close it; `drop()` does not. */
  engine(options?: Omit<PostgresEngineOptions, 'connectionString' | 'pool' | 'schema'>): PostgresEngine;
  /** Drops the schema and everything in it. Safe to call again. */
  drop(): Promise<void>;
}

/**
 * Creates a randomly named schema on a test server, so your integration tests run against a
 * real PostgreSQL without seeing each other's data. A server that does not answer fails with
 * how to start one (it never skips).
 *
 * @example
 * import { createTestStore } from '@sessions/postgres/testing';
 *
 * const store = await createTestStore();
 * afterAll(() => store.drop());
 * const engine = store.engine();
 * await engine.setup();
 */
export async function createTestStore(options: CreateTestStoreOptions = {}): Promise<PostgresTestStore> {
  const server = options.url ?? testServerUrl('postgres');
  const prefix = options.prefix ?? 'sessions_test_';
  const schema = uniqueTestName(prefix);
  if (!NAME_PART.test(schema) || schema.length > MAX_IDENTIFIER_BYTES) {
    throw new ValidationError(
      `prefix must be letters, digits or "_", not starting with a digit, and at most ${MAX_IDENTIFIER_BYTES - (schema.length - prefix.length)} long`,
      { path: 'options.prefix' },
    );
  }
  await run(server, `CREATE SCHEMA ${quoteIdent(schema)}`);
  const url = new URL(server);
  url.searchParams.set('schema', schema);
  const drop = () => run(server, `DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  return {
    url: url.toString(),
    schema,
    engine: (engineOptions = {}) => new PostgresEngine({ ...engineOptions, connectionString: server, schema }),
    drop,
    [Symbol.asyncDispose]: drop,
  };
}

/** One statement on a short-lived connection; only failing to connect is reported as a missing server. */
async function run(server: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: server, connectionTimeoutMillis: 5_000 });
  client.on('error', () => undefined);
  try {
    await requireTestServer('postgres', () => client.connect(), server);
    await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}
