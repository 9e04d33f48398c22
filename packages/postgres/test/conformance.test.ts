import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { runConformance, type RawReader } from '@sessions/conformance';
import type { Engine } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { dropSchema, POSTGRES_URL, randomSchema, requirePostgres, testPool } from './support/database.js';

// Reads the tables with plain SQL on a pool of its own, so the suite checks what was really stored.
const rawPool = testPool({ max: 2 });

beforeAll(requirePostgres);
afterAll(() => rawPool.end());

function rawReader(engine: Engine): RawReader {
  const tables = (engine as PostgresEngine).tables;
  return {
    async session(key) {
      const { rows } = await rawPool.query(
        `SELECT user_id, session_id, title, metadata, state, message_count, last_seq FROM ${tables.sessions} WHERE user_id = $1 AND session_id = $2`,
        [key.userId, key.sessionId],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        userId: row.user_id,
        sessionId: row.session_id,
        title: row.title,
        metadata: row.metadata,
        state: row.state,
        messageCount: Number(row.message_count),
        lastSeq: Number(row.last_seq),
      };
    },
    async messages(key) {
      const { rows } = await rawPool.query(
        `SELECT seq, id, role, content FROM ${tables.messages} WHERE user_id = $1 AND session_id = $2 ORDER BY seq`,
        [key.userId, key.sessionId],
      );
      return rows.map((row) => ({ seq: Number(row.seq), id: row.id, role: row.role, content: row.content }));
    },
  };
}

// The suite's second process opens the same schema through the built package.
const builtPackage = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const schemaOf = (engine: Engine) => (engine as PostgresEngine).tables.schema;

runConformance({
  name: 'postgres',
  create: () => new PostgresEngine({ connectionString: POSTGRES_URL, schema: randomSchema('conformance') }),
  reopen: (engine) => new PostgresEngine({ connectionString: POSTGRES_URL, schema: schemaOf(engine) }),
  openInAnotherProcess: (engine) => ({ module: builtPackage, exportName: 'PostgresEngine', args: [{ connectionString: POSTGRES_URL, schema: schemaOf(engine) }] }),
  destroy: (engine) => dropSchema(schemaOf(engine)),
  raw: rawReader,
});
