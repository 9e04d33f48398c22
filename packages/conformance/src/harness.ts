import { afterAll, beforeAll } from 'vitest';
import { SessionManager, type Engine, type EngineCapabilities, type SessionKey, type SessionManagerOptions } from '@sessions/core';
import type { ConformanceInitializer, RawReader } from './initializer.js';

/** What a group's tests get: the engine under test for the group, set up and isolated. */
export interface SuiteContext {
  readonly engine: Engine;
  readonly capabilities: EngineCapabilities;
  /** Direct reads of the store, when the initializer gives them. */
  readonly raw: RawReader | undefined;
  /** A manager over the group's engine. */
  manager(options?: Omit<SessionManagerOptions, 'engine'>): SessionManager;
  /**
   * Managers for concurrency tests, spread over two engines on the same store when the engine
   * is cross-process and the initializer can reopen it, so an in-process mutex cannot pass.
   */
  contenders(count: number, options?: (index: number) => Omit<SessionManagerOptions, 'engine'>): SessionManager[];
}

/**
 * Creates one engine per group (in `beforeAll`) and destroys it after. Tests isolate
 * themselves with random keys, so they never depend on each other or on order.
 */
export function useEngine(init: ConformanceInitializer): SuiteContext {
  let engine: Engine | undefined;
  let peer: Engine | undefined;
  beforeAll(async () => {
    engine = await init.create();
    await engine.setup();
    if (capabilitiesOf(init, engine).crossProcess && init.reopen) {
      peer = await init.reopen(engine);
      await peer.setup();
    }
  });
  afterAll(async () => {
    if (!engine) return;
    await peer?.close();
    await engine.close();
    await init.destroy?.(engine);
  });
  const current = (): Engine => {
    if (!engine) throw new Error('the conformance engine is not created yet');
    return engine;
  };
  return {
    get engine() {
      return current();
    },
    get capabilities() {
      return capabilitiesOf(init, current());
    },
    get raw() {
      return init.raw?.(current());
    },
    manager: (options = {}) => new SessionManager({ engine: current(), ...options }),
    contenders: (count, options = () => ({})) =>
      Array.from({ length: count }, (_, i) => new SessionManager({ engine: i % 2 === 1 && peer ? peer : current(), ...options(i) })),
  };
}

export function capabilitiesOf(init: ConformanceInitializer, engine: Engine): EngineCapabilities {
  return { ...engine.capabilities, ...init.capabilities };
}

let counter = 0;
/** A fresh id no other test uses, with characters that must survive every backend. */
export function randomId(prefix = 'id'): string {
  counter += 1;
  return `${prefix}_${Date.now().toString(36)}_${counter}_${Math.random().toString(36).slice(2, 10)}`;
}

export function randomKey(): SessionKey {
  return { userId: randomId('user'), sessionId: randomId('sess') };
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
