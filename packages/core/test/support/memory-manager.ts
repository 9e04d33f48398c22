import { MemoryEngine, SessionManager } from '../../src/index.js';

/** A manager over a fresh, set-up MemoryEngine, for tests of the manager's own behaviour. */
export async function memoryManager(options: { clock?: () => number } = {}): Promise<SessionManager> {
  const engine = new MemoryEngine();
  await engine.setup();
  return new SessionManager({ engine, ...options });
}
