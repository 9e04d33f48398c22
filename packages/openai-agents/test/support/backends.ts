import { MemoryEngine, type Engine } from '@sessions/core';

/** One isolated store (own file, directory, schema, database or key prefix) for one test file. */
export interface Store {
  /** A new engine on this store, already set up. The store closes it on `destroy`. */
  openEngine(): Promise<Engine>;
  /** What a separate process passes to `createEngine` to reach this store; persistent stores only. */
  readonly url?: string;
  /** Closes every engine opened on the store and removes the store. */
  destroy(): Promise<void>;
}

export interface Backend {
  readonly name: string;
  /** Data outlives the engine and the process (so a fresh process can read it). */
  readonly persistent: boolean;
  createStore(): Promise<Store>;
}

/** A store whose engines are made by `open` and closed, newest first, by `destroy`, before `cleanup` runs. */
export function trackedStore(open: () => Promise<Engine>, cleanup: () => Promise<void>, url?: string): Store {
  const engines: Engine[] = [];
  return {
    url,
    async openEngine() {
      const engine = await open();
      engines.push(engine);
      await engine.setup();
      return engine;
    },
    async destroy() {
      for (const engine of engines.reverse()) await engine.close();
      await cleanup();
    },
  };
}

/** The in-memory reference engine: every "fresh engine" is the same one, since memory is the store. */
export const memoryBackend: Backend = {
  name: 'memory',
  persistent: false,
  async createStore() {
    const engine = new MemoryEngine();
    await engine.setup();
    return {
      openEngine: async () => engine,
      destroy: () => engine.close(),
    };
  },
};

/** A scratch directory under the OS temp dir, removed by the returned function. */
export async function scratchDirectory(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const { mkdtemp, rm } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const path = await mkdtemp(join(tmpdir(), `sessions-openai-agents-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
