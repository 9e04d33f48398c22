import { beforeAll, it } from 'vitest';
import { MemoryEngine, type Engine } from '@sessions/core';
import { storeKey } from '@sessions/core/engine';
import { randomKey, runConformance, type RawReader } from '../src/index.js';

// The suite must not touch a store while vitest collects: create() may only run once tests start.
let collecting = true;
beforeAll(() => {
  collecting = false;
});

const storeOf = (engine: Engine) => (engine as MemoryEngine).sharedStore;

/** Reads the reference engine's maps directly, as a SQL adapter's reader selects rows. */
function rawReader(engine: Engine): RawReader {
  return {
    async session(key) {
      const stored = storeOf(engine).sessions.get(storeKey(key));
      if (!stored) return null;
      const { userId, sessionId, title, metadata, state, messageCount, lastSeq } = stored.session;
      return structuredClone({ userId, sessionId, title, metadata, state, messageCount, lastSeq });
    },
    async messages(key) {
      const stored = storeOf(engine).sessions.get(storeKey(key));
      return (stored?.messages ?? []).map(({ seq, id, role, content }) => structuredClone({ seq, id, role, content }));
    },
  };
}

// In one process's memory: not persistent and not cross-process, so those tests show as skipped.
runConformance({
  name: 'memory',
  create: () => {
    if (collecting) throw new Error('create() ran while vitest was collecting the tests');
    return new MemoryEngine();
  },
  // A second engine on the same in-process store, as a second app server on one database.
  reopen: (engine) => new MemoryEngine({ store: storeOf(engine) }),
  raw: rawReader,
  capabilities: { persistent: false, crossProcess: false },
  additionalTests(ctx) {
    it('runs adapter-specific tests inside the shared lifecycle, with the group engine set up', async ({ expect }) => {
      const key = randomKey();
      await ctx.manager().create(key);
      expect(await ctx.raw!.session(key)).toMatchObject({ ...key, messageCount: 0 });
    });
  },
});
