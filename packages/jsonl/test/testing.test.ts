import { existsSync } from 'node:fs';
import { SessionManager } from '@sessions/core';
import { describe, it } from 'vitest';
import { fromUrl } from '../src/index.js';
import { createTestStore } from '../src/testing.js';

describe('@sessions/jsonl/testing', () => {
  it('makes a store folder of its own that engine() and the url both reach, and drop() removes it (twice is fine)', async ({ expect }) => {
    const [store, neighbour] = [await createTestStore({ prefix: 'sessions-testing-' }), await createTestStore()];
    expect(store.dir).not.toBe(neighbour.dir);
    expect(store.url).toBe(`jsonl:${store.dir}`);
    {
      await using engine = store.engine({ lockTimeoutMs: 5_000 });
      await engine.setup();
      await new SessionManager({ engine }).create({ userId: 'u', sessionId: 's' });
      await using other = fromUrl(store.url);
      await other.setup();
      expect((await other.getSession({ userId: 'u', sessionId: 's' }))?.sessionId).toBe('s');
    }
    await Promise.all([store.drop(), neighbour.drop()]);
    await store.drop();
    expect(existsSync(store.dir)).toBe(false);
  });
});
