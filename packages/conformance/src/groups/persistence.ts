import { describe, it } from 'vitest';
import { SessionManager, type EngineCapabilities } from '@sessions/core';
import { randomKey } from '../harness.js';
import type { ConformanceInitializer } from '../initializer.js';

/**
 * A second engine on the same store sees everything committed. Runs for persistent engines
 * (which must give `reopen`) and for any engine whose initializer can open a second engine on
 * its store.
 */
export function persistenceTests(init: ConformanceInitializer, capabilities: EngineCapabilities): void {
  describe('persistence', () => {
    it.skipIf(!capabilities.persistent && !init.reopen)('shows a reopened store every committed session, message and lease token', async ({ expect }) => {
      const first = await init.create();
      await first.setup();
      if (!init.reopen) {
        await first.close();
        await init.destroy?.(first);
        throw new Error(`${init.name} declares persistent storage but gives the conformance suite no reopen()`);
      }
      const key = randomKey();
      const writer = new SessionManager({ engine: first });
      await writer.create({ ...key, title: 'persisted', metadata: { n: 1 } });
      await writer.append(key, [{ role: 'user', content: 'one' }, { role: 'assistant', content: 'two' }]);
      const lease = await writer.acquire(key, { ttlMs: 60_000 });
      const second = await init.reopen(first);
      await second.setup();
      try {
        const reader = new SessionManager({ engine: second, owner: 'reader' });
        expect(await reader.get(key)).toMatchObject({ title: 'persisted', metadata: { n: 1 }, messageCount: 2, lastSeq: 2 });
        expect((await reader.messages(key)).map((m) => m.content)).toEqual(['one', 'two']);
        await expect(reader.acquire(key)).rejects.toThrow(/locked/);
        await writer.release(lease);
        const next = await reader.acquire(key);
        expect(next.token).toBeGreaterThan(lease.token);
        await reader.append(key, { role: 'user', content: 'three' }, { lease: next });
        expect((await writer.messages(key)).map((m) => m.seq)).toEqual([1, 2, 3]);
        await reader.release(next);
      } finally {
        await second.close();
        await first.close();
        await init.destroy?.(first);
      }
    });
  });
}
