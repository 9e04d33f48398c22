import { MemoryEngine, storeKey, type Engine } from '@sessions/core';
import { runConformance, type RawReader } from '../src/index.js';

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
  create: () => new MemoryEngine(),
  // A second engine on the same in-process store, as a second app server on one database.
  reopen: (engine) => new MemoryEngine({ store: storeOf(engine) }),
  raw: rawReader,
  capabilities: { persistent: false, crossProcess: false },
});
