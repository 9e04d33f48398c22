import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlitePathOptions } from './options.js';
import { SqliteEngine } from './sqlite-engine.js';

export interface CreateTestStoreOptions {
  /** Start of the temporary folder's name. Default `sessions-test-sqlite-`. */
  prefix?: string;
}

/** A database file of its own in a temporary folder, for one test file or test. */
export interface SqliteTestStore extends AsyncDisposable {
  /** The store's URL for `createEngine` or `fromUrl` (`sqlite:` and the file's path). */
  readonly url: string;
  /** The database file's absolute path (created by the first engine's `setup()`). */
  readonly path: string;
  /** A new engine on the file, not set up yet. You close it; `drop()` does not. */
  engine(options?: Omit<SqlitePathOptions, 'path' | 'database'>): SqliteEngine;
  /** Removes the folder and everything in it. Safe to call again. */
  drop(): Promise<void>;
}

/**
 * Creates a temporary folder for a database file, so your tests run against a real SQLite file
 * (which other processes can open by `url`) without seeing each other's data.
 *
 * @example
 * import { createTestStore } from '@sessions/sqlite/testing';
 *
 * const store = await createTestStore();
 * afterAll(() => store.drop());
 * const engine = store.engine();
 * await engine.setup();
 */
export async function createTestStore(options: CreateTestStoreOptions = {}): Promise<SqliteTestStore> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix ?? 'sessions-test-sqlite-'));
  const path = join(dir, 'sessions.db');
  const drop = () => rm(dir, { recursive: true, force: true });
  return {
    url: `sqlite:${path}`,
    path,
    engine: (engineOptions = {}) => new SqliteEngine({ ...engineOptions, path }),
    drop,
    [Symbol.asyncDispose]: drop,
  };
}
