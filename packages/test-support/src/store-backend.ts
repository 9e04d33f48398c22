/**
 * What the bridges' shared suites need of an engine. Typed structurally, not by `@sessions/core`:
 * the adapters depend on this package for their own tests, so a dependency back on them (or on
 * core) would make a build cycle.
 */
export interface TestEngine {
  setup(): Promise<void>;
  close(): Promise<void>;
}

/** What every adapter's `createTestStore()` (`@sessions/<adapter>/testing`) returns, as far as a suite needs it. */
export interface TestStoreLike<E extends TestEngine> {
  /** The store's URL for `createEngine` in another process. */
  readonly url: string;
  /** A new engine on the store, not set up yet. */
  engine(): E;
  /** Removes the store. */
  drop(): Promise<void>;
}

/** A kind of store a suite runs on: each `open()` is a fresh, isolated one. */
export interface StoreBackend<E extends TestEngine> {
  readonly name: string;
  /** Data outlives the engine and the process: another process can open the store at `url`. */
  readonly persistent: boolean;
  open(): Promise<OpenStore<E>>;
}

export interface OpenStore<E extends TestEngine> {
  /** The store's first engine, set up. */
  readonly engine: E;
  /** Another engine on the same store, set up: what a new process would open. In-memory stores give the same engine. */
  reopen(): Promise<E>;
  /** For persistent stores, the URL another process passes to `createEngine`. */
  readonly url: string | undefined;
  /** Closes every engine opened on the store, newest first, then removes the store. */
  dispose(): Promise<void>;
}

/**
 * A persistent backend over an adapter's `createTestStore`. A store whose first engine cannot be
 * set up is dropped before the error is thrown.
 *
 * @example
 * import { createTestStore } from '@sessions/postgres/testing';
 * export const postgres = testStoreBackend('postgres', () => createTestStore({ prefix: 'sessions_ai_' }));
 */
export function testStoreBackend<E extends TestEngine>(name: string, createStore: () => Promise<TestStoreLike<E>>): StoreBackend<E> {
  return {
    name,
    persistent: true,
    async open() {
      const store = await createStore();
      const engines: E[] = [];
      const openEngine = async (): Promise<E> => {
        const engine = store.engine();
        engines.push(engine);
        await engine.setup();
        return engine;
      };
      const dispose = async (): Promise<void> => {
        try {
          for (const engine of engines.splice(0).reverse()) await engine.close();
        } finally {
          await store.drop();
        }
      };
      let engine: E;
      try {
        engine = await openEngine();
      } catch (error) {
        await dispose().catch(() => undefined);
        throw error;
      }
      return { engine, reopen: openEngine, url: store.url, dispose };
    },
  };
}

/** An in-memory backend: the engine is the store, so `reopen()` gives the same engine and there is no `url`. */
export function inMemoryBackend<E extends TestEngine>(name: string, create: () => E): StoreBackend<E> {
  return {
    name,
    persistent: false,
    async open() {
      const engine = create();
      await engine.setup();
      return { engine, reopen: async () => engine, url: undefined, dispose: () => engine.close() };
    },
  };
}
