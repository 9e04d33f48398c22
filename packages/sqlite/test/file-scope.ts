import Database from 'better-sqlite3';
import { afterEach } from 'vitest';
import type { SqliteEngine } from '../src/index.js';
import { removeTempDir, tempDir } from './helpers.js';

export interface FileScope {
  /** A new empty folder, removed after the test. */
  newDir(): string;
  /** Closes `engine` after the test; returns it. */
  track(engine: SqliteEngine): SqliteEngine;
  /** A direct better-sqlite3 connection, closed after the test. */
  connect(path: string, options?: Database.Options): Database.Database;
}

/**
 * Registers an `afterEach` that closes the engines and connections a test opened, then removes
 * its folders, so no test sees another's files.
 */
export function fileScope(): FileScope {
  const dirs: string[] = [];
  const engines: SqliteEngine[] = [];
  const connections: Database.Database[] = [];
  afterEach(async () => {
    // Folders go even when an engine fails to close; that failure is still reported.
    const closed = await Promise.allSettled(engines.splice(0).map((engine) => engine.close()));
    for (const db of connections.splice(0)) if (db.open) db.close();
    for (const dir of dirs.splice(0)) removeTempDir(dir);
    for (const result of closed) if (result.status === 'rejected') throw result.reason;
  });
  return {
    newDir() {
      const dir = tempDir();
      dirs.push(dir);
      return dir;
    },
    track(engine) {
      engines.push(engine);
      return engine;
    },
    connect(path, options) {
      const db = new Database(path, options);
      connections.push(db);
      return db;
    },
  };
}
