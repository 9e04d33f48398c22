import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JsonlEngine } from './jsonl-engine.js';
import type { JsonlEngineOptions } from './options.js';

export interface CreateTestStoreOptions {
  /** Start of the temporary folder's name. Default `sessions-test-jsonl-`. */
  prefix?: string;
}

/** A store folder of its own under the OS temp folder, for one test file or test. */
export interface JsonlTestStore extends AsyncDisposable {
  /** The store's URL for `createEngine` or `fromUrl` (`jsonl:` and the folder's path). */
  readonly url: string;
  /** The store folder's absolute path. */
  readonly dir: string;
  /** A new engine on the folder, not set up yet (`fsync` off unless you ask). You close it; `drop()` does not. */
  engine(options?: Omit<JsonlEngineOptions, 'dir'>): JsonlEngine;
  /** Removes the folder and everything in it. Safe to call again. */
  drop(): Promise<void>;
}

/**
 * Creates a temporary store folder, so your tests run against real files (which other processes
 * can open by `url`) without seeing each other's data. Engines skip fsync by default: a test has
 * no power loss to survive, and fsync makes it slow.
 *
 * @example
 * import { createTestStore } from '@sessions/jsonl/testing';
 *
 * const store = await createTestStore();
 * afterAll(() => store.drop());
 * const engine = store.engine();
 * await engine.setup();
 */
export async function createTestStore(options: CreateTestStoreOptions = {}): Promise<JsonlTestStore> {
  const dir = await mkdtemp(join(tmpdir(), options.prefix ?? 'sessions-test-jsonl-'));
  const drop = () => rm(dir, { recursive: true, force: true });
  return {
    url: `jsonl:${dir}`,
    dir,
    engine: (engineOptions = {}) => new JsonlEngine({ fsync: false, ...engineOptions, dir }),
    drop,
    [Symbol.asyncDispose]: drop,
  };
}
