import { describe, it } from 'vitest';
import { inMemoryBackend, testStoreBackend, type TestEngine } from '../src/index.js';

/** An engine that writes what happens to it into a shared log. */
function loggedEngine(log: string[], name: string, failSetup = false): TestEngine {
  return {
    setup: async () => {
      log.push(`setup ${name}`);
      if (failSetup) throw new Error('no server');
    },
    close: async () => {
      log.push(`close ${name}`);
    },
  };
}

describe('testStoreBackend', () => {
  it('sets up every engine it opens and, on dispose, closes them newest first before dropping the store', async ({ expect }) => {
    const log: string[] = [];
    let made = 0;
    const engine = () => loggedEngine(log, `e${++made}`);
    const backend = testStoreBackend('fake', async () => ({ url: 'fake:1', engine, drop: async () => void log.push('drop') }));
    const store = await backend.open();
    await store.reopen();
    expect(store.url).toBe('fake:1');
    expect(backend.persistent).toBe(true);
    await store.dispose();
    expect(log).toEqual(['setup e1', 'setup e2', 'close e2', 'close e1', 'drop']);
  });

  it('drops the store when its first engine cannot be set up, and throws the setup error', async ({ expect }) => {
    const log: string[] = [];
    const engine = () => loggedEngine(log, 'e', true);
    const backend = testStoreBackend('fake', async () => ({ url: 'fake:1', engine, drop: async () => void log.push('drop') }));
    await expect(backend.open()).rejects.toThrow('no server');
    expect(log).toEqual(['setup e', 'close e', 'drop']);
  });
});

describe('inMemoryBackend', () => {
  it('reopens as the same engine and has no url', async ({ expect }) => {
    const log: string[] = [];
    const store = await inMemoryBackend('memory', () => loggedEngine(log, 'm')).open();
    expect(await store.reopen()).toBe(store.engine);
    expect(store.url).toBeUndefined();
    await store.dispose();
    expect(log).toEqual(['setup m', 'close m']);
  });
});
