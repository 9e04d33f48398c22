import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { runConformance, type RawReader } from '@sessions/conformance';
import type { Engine } from '@sessions/core';
import { PostgresEngine } from '../src/index.js';
import { createTestStore, type PostgresTestStore } from '../src/testing.js';
import { POSTGRES_URL, requirePostgres, testPool } from './support/database.js';

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
      const { rows } = await rawPool.query(`SELECT seq, id, role, content FROM ${tables.messages} WHERE user_id = $1 AND session_id = $2 ORDER BY seq`, [
        key.userId,
        key.sessionId,
      ]);
      return rows.map((row) => ({ seq: Number(row.seq), id: row.id, role: row.role, content: row.content }));
    },
  };
}

// The suite's second process opens the same schema through the built package.
const builtPackage = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const schemaOf = (engine: Engine) => (engine as PostgresEngine).tables.schema;
// Each engine on a schema of its own, made by the package's own test-store fixture (`@sessions/postgres/testing`).
const stores = new Map<Engine, PostgresTestStore>();

runConformance({
  name: 'postgres',
  async create() {
    const store = await createTestStore({ url: POSTGRES_URL, prefix: 'conformance_' });
    const engine = store.engine();
    stores.set(engine, store);
    return engine;
  },
  reopen: (engine) => new PostgresEngine({ connectionString: POSTGRES_URL, schema: schemaOf(engine) }),
  openInAnotherProcess: (engine) => ({
    module: builtPackage,
    exportName: 'PostgresEngine',
    args: [{ connectionString: POSTGRES_URL, schema: schemaOf(engine) }],
  }),
  destroy: (engine) => stores.get(engine)?.drop(),
  raw: rawReader,
});
