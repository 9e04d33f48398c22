import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { RawMessage, RawReader, RawSession } from '@sessions/conformance';
import type { Engine, SessionKey } from '@sessions/core';
import { SqliteEngine } from '../src/index.js';

/** A fresh directory for one test's database files; removed by `removeTempDir`. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'sessions-sqlite-'));
}

export function removeTempDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A new engine on its own file in its own temporary directory. */
export function tempEngine(options: { tablePrefix?: string } = {}): SqliteEngine {
  return new SqliteEngine({ path: join(tempDir(), 'sessions.db'), ...options });
}

/**
 * Reads what is really stored with plain SQL, bypassing the engine: over a separate
 * read-only connection to the file, or over a given connection (for in-memory databases).
 */
export function rawReader(source: string | Database.Database, tablePrefix = ''): RawReader & { close(): void } {
  const ownConnection = typeof source === 'string';
  const db = ownConnection ? new Database(source, { readonly: true, fileMustExist: true }) : source;
  const sessions = db.prepare(
    `SELECT user_id, session_id, title, metadata, state, message_count, last_seq FROM "${tablePrefix}sessions" WHERE user_id = ? AND session_id = ?`,
  );
  const messages = db.prepare(`SELECT seq, id, role, content FROM "${tablePrefix}messages" WHERE user_id = ? AND session_id = ? ORDER BY seq`);
  return {
    async session(key: SessionKey): Promise<RawSession | null> {
      const row = sessions.get(key.userId, key.sessionId) as Record<string, any> | undefined;
      if (!row) return null;
      return {
        userId: row['user_id'],
        sessionId: row['session_id'],
        title: row['title'],
        metadata: JSON.parse(row['metadata']),
        state: JSON.parse(row['state']),
        messageCount: row['message_count'],
        lastSeq: row['last_seq'],
      };
    },
    async messages(key: SessionKey): Promise<RawMessage[]> {
      return (messages.all(key.userId, key.sessionId) as Array<Record<string, any>>).map((row) => ({
        seq: row['seq'],
        id: row['id'],
        role: row['role'],
        content: JSON.parse(row['content']),
      }));
    },
    close: () => {
      if (ownConnection) db.close();
    },
  };
}

/** The file an engine uses, or a failure that says why there is none. */
export function pathOf(engine: Engine): string {
  const path = (engine as SqliteEngine).path;
  if (!path) throw new Error('this engine has no database file');
  return path;
}
