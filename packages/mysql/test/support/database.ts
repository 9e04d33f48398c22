import { randomBytes } from 'node:crypto';
import mysql from 'mysql2/promise';
import { afterAll } from 'vitest';
import type { RawMessage, RawReader, RawSession } from '@sessions/conformance';
import type { SessionKey } from '@sessions/core';
import { testServerUrl } from '@sessions/core/testing';
import type { Tables } from '../../src/index.js';
import { tableNames } from '../../src/tables.js';
import { createTestStore } from '../../src/testing.js';

/** The server the tests use; a loopback MariaDB by default (SESSIONS_TEST_MYSQL_URL). */
export const SERVER_URL = testServerUrl('mysql');

export function randomName(prefix: string): string {
  return `${prefix}${randomBytes(5).toString('hex')}`;
}

export interface TestDatabase {
  readonly name: string;
  /** A URL selecting this database. */
  readonly url: string;
  /** A pool on this database, for direct reads and writes that bypass the engine. */
  readonly pool: mysql.Pool;
  dropTables(prefix: string): Promise<void>;
}

/**
 * A database of its own for one test file, dropped when the file's tests end. Fails (never
 * skips) with instructions when no server answers.
 */
export async function useTestDatabase(label: string): Promise<TestDatabase> {
  const store = await createTestStore({ url: SERVER_URL, prefix: `sessions_test_${label}_` });
  const pool = mysql.createPool({ uri: store.url, connectionLimit: 4 });
  afterAll(async () => {
    await pool.end();
    await store.drop();
  });
  return {
    name: store.database,
    url: store.url,
    pool,
    dropTables: (prefix: string) => dropTables(pool, prefix),
  };
}

/** Drops the tables and routine one engine's `tablePrefix` made. */
export async function dropTables(pool: mysql.Pool, prefix: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS \`${prefix}messages\`, \`${prefix}sessions\`, \`${prefix}leases\`, \`${prefix}schema_version\``);
  await pool.query(`DROP PROCEDURE IF EXISTS ${tableNames(prefix).appendRoutine}`);
}

/** Reads what the engine really stored, with plain SQL. */
export function rawReader(pool: mysql.Pool, tables: Tables): RawReader {
  return {
    async session(key: SessionKey): Promise<RawSession | null> {
      const [rows] = await pool.query<mysql.RowDataPacket[]>(
        `SELECT user_id, session_id, title, metadata, state, message_count, last_seq FROM ${tables.sessions} WHERE user_id = ? AND session_id = ?`,
        [key.userId, key.sessionId],
      );
      const row = rows[0];
      if (!row) return null;
      return {
        userId: row['user_id'],
        sessionId: row['session_id'],
        title: row['title'],
        metadata: JSON.parse(row['metadata']),
        state: JSON.parse(row['state']),
        messageCount: Number(row['message_count']),
        lastSeq: Number(row['last_seq']),
      };
    },
    async messages(key: SessionKey): Promise<RawMessage[]> {
      const [rows] = await pool.query<mysql.RowDataPacket[]>(
        `SELECT seq, id, role, content FROM ${tables.messages} WHERE user_id = ? AND session_id = ? ORDER BY seq`,
        [key.userId, key.sessionId],
      );
      return rows.map((row) => ({ seq: Number(row['seq']), id: row['id'], role: row['role'], content: JSON.parse(row['content']) }));
    },
  };
}
