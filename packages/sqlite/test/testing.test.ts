import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { SessionManager } from '@sessions/core';
import { describe, it } from 'vitest';
import { fromUrl } from '../src/index.js';
import { createTestStore } from '../src/testing.js';

describe('@sessions/sqlite/testing', () => {
  it('makes a database file of its own that engine() and the url both reach, and drop() removes its folder (twice is fine)', async ({ expect }) => {
    const [store, neighbour] = [await createTestStore({ prefix: 'sessions-testing-' }), await createTestStore()];
    expect(dirname(store.path)).not.toBe(dirname(neighbour.path));
    expect(store.url).toBe(`sqlite:${store.path}`);
    {
      await using engine = store.engine({ busyTimeoutMs: 1_000 });
      await engine.setup();
      await new SessionManager({ engine }).create({ userId: 'u', sessionId: 's' });
      await using other = fromUrl(store.url);
      await other.setup();
      expect((await other.getSession({ userId: 'u', sessionId: 's' }))?.sessionId).toBe('s');
    }
    await store.drop();
    await store.drop();
    await neighbour.drop();
    expect(existsSync(dirname(store.path))).toBe(false);
  });
});
