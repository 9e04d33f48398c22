import type { Engine, EngineCapabilities, SessionKey } from '@sessions/core';
import type { SuiteContext } from './harness.js';
import type { ChildEngineRecipe } from './remote/child-engine-recipe.js';

/** A session row as the backend really stores it, read without going through the engine. */
export interface RawSession {
  userId: string;
  sessionId: string;
  title: string | null;
  metadata: unknown;
  state: unknown;
  messageCount: number;
  lastSeq: number;
}

/** A message row as the backend really stores it, read without going through the engine. */
export interface RawMessage {
  seq: number;
  id: string;
  role: string;
  content: unknown;
}

/**
 * Direct reads of the backend (SQL, files, Redis commands), so the suite checks what was
 * really stored and not only what the engine under test says it stored.
 */
export interface RawReader {
  session(key: SessionKey): Promise<RawSession | null>;
  /** Ascending by seq. */
  messages(key: SessionKey): Promise<RawMessage[]>;
}

/**
 * How the suite gets engines for one adapter. Only `name` and `create` are required; each
 * optional part unlocks tests, and the tests it would unlock show as skipped, with the reason,
 * when it is missing.
 *
 * @example
 * runConformance({
 *   name: 'json-file',
 *   create: () => new JsonFileEngine({ dir: mkdtempSync(join(tmpdir(), 'store-')) }),
 *   destroy: (engine) => rm((engine as JsonFileEngine).dir, { recursive: true, force: true }),
 *   reopen: (engine) => new JsonFileEngine({ dir: (engine as JsonFileEngine).dir }),
 *   openInAnotherProcess: (engine) => ({
 *     module: fileURLToPath(new URL('../dist/index.js', import.meta.url)),
 *     exportName: 'JsonFileEngine',
 *     args: [{ dir: (engine as JsonFileEngine).dir }],
 *   }),
 *   raw: (engine) => rawReader((engine as JsonFileEngine).dir),
 * })
 */
export interface ConformanceInitializer {
  name: string;
  /**
   * A fresh engine on an isolated store (own file, schema, database or key prefix), not yet set
   * up. Called in `beforeAll` hooks and tests, never while vitest collects the tests.
   */
  create(): Engine | Promise<Engine>;
  /** Removes what `create` made. Called after the suite has closed the engine. */
  destroy?: ((engine: Engine) => void | Promise<void>) | undefined;
  /** A second engine on the same store as `engine`, in this process, not yet set up. */
  reopen?: ((engine: Engine) => Engine | Promise<Engine>) | undefined;
  /**
   * How another OS process opens the store behind `engine` (see `ChildEngineRecipe`). The suite
   * starts a child process from it to check what no in-process cache or lock can fake: that a
   * persistent engine's data is in the store, and that a cross-process engine's leases and seq
   * hold between processes. Required when the engine is `persistent` or `crossProcess`: without
   * it those checks fail, saying so.
   */
  openInAnotherProcess?: ((engine: Engine) => ChildEngineRecipe) | undefined;
  /** Direct reads of the store behind `engine`. Without them, the tests that need them are skipped. */
  raw?: ((engine: Engine) => RawReader) | undefined;
  /** Narrows the engine's declared capabilities for this run (`{ persistent: false }` skips persistence). */
  capabilities?: Partial<EngineCapabilities> | undefined;
  /**
   * Adapter-specific tests, run inside the suite's lifecycle with the same context the groups
   * get (an engine set up in `beforeAll`, closed and destroyed in `afterAll`). Register them with
   * vitest's `it`.
   *
   * @example
   * additionalTests: (ctx) => {
   *   it('writes the store file atomically', async ({ expect }) => { ... ctx.engine ... })
   * }
   */
  additionalTests?: ((ctx: SuiteContext) => void) | undefined;
}
