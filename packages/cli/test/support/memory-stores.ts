import { createMemoryStore, MemoryEngine, registerAdapter, SessionManager, type MemoryStore } from '@sessions/core';

// Each CLI command opens and closes its own engine; a shared store outlives them, like a database.

const stores = new Map<string, MemoryStore>();
let counter = 0;

registerAdapter('testmem:', () => ({
  fromUrl(url: string) {
    let store = stores.get(url);
    if (!store) {
      store = createMemoryStore();
      stores.set(url, store);
    }
    return new MemoryEngine({ store });
  },
}));

/** A fresh, empty in-process store: its URL for the CLI, and a manager to seed and inspect it. */
export async function memoryStore(): Promise<{ url: string; manager: SessionManager; engine: MemoryEngine }> {
  const url = `testmem:store-${++counter}-${Math.random().toString(36).slice(2)}`;
  const store: MemoryStore = createMemoryStore();
  stores.set(url, store);
  const engine = new MemoryEngine({ store });
  await engine.setup();
  return { url, engine, manager: new SessionManager({ engine }) };
}
