import { afterAll, beforeAll, it, type TestContext } from 'vitest';
import { SessionManager, type Engine, type EngineCapabilities, type SessionKey, type SessionManagerOptions } from '@sessions/core';
import type { ConformanceInitializer, RawReader } from './initializer.js';
import { openRemoteEngine, type RemoteEngine } from './remote/remote-engine.js';

/** What a group's tests get: the engine under test for the group, set up and isolated. */
export interface SuiteContext {
  readonly engine: Engine;
  readonly capabilities: EngineCapabilities;
  /** Direct reads of the store, when the initializer gives them. */
  readonly raw: RawReader | undefined;
  /** A manager over the group's engine. */
  manager(options?: Omit<SessionManagerOptions, 'engine'>): SessionManager;
  /**
   * Managers for concurrency tests. For a cross-process engine whose initializer gives
   * `openInAnotherProcess`, every second one runs its engine calls in a child process on the
   * same store, so an in-process mutex cannot pass; otherwise they share the group's engine
   * (or a `reopen`ed one).
   */
  contenders(count: number, options?: (index: number) => Omit<SessionManagerOptions, 'engine'>): SessionManager[];
}

export interface UseEngineOptions {
  /** Open a second engine on the same store for `contenders()`: in a child process when possible. */
  readonly peer?: boolean | undefined;
}

/**
 * Creates one engine per group (in `beforeAll`) and destroys it after. Tests isolate
 * themselves with random keys, so they never depend on each other or on order. Nothing
 * touches a store while vitest collects the tests.
 */
export function useEngine(init: ConformanceInitializer, options: UseEngineOptions = {}): SuiteContext {
  let engine: Engine | undefined;
  let peer: Engine | undefined;
  beforeAll(async () => {
    engine = await init.create();
    await engine.setup();
    if (options.peer && capabilitiesOf(init, engine).crossProcess) peer = await openPeer(init, engine);
  });
  afterAll(async () => {
    if (!engine) return;
    try {
      await peer?.close();
      await engine.close();
    } finally {
      await init.destroy?.(engine);
    }
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
    manager: (managerOptions = {}) => new SessionManager({ engine: current(), ...managerOptions }),
    contenders: (count, each = () => ({})) =>
      Array.from({ length: count }, (_, i) => new SessionManager({ engine: i % 2 === 1 && peer ? peer : current(), ...each(i) })),
  };
}

async function openPeer(init: ConformanceInitializer, engine: Engine): Promise<Engine | undefined> {
  if (init.openInAnotherProcess) return openInChild(init, engine, 'contender');
  if (!init.reopen) return undefined;
  const peer = await init.reopen(engine);
  await peer.setup();
  return peer;
}

/** An engine in a child process on the store behind `engine`. */
export function openInChild(init: ConformanceInitializer, engine: Engine, label: string): Promise<RemoteEngine> {
  if (!init.openInAnotherProcess) throw new Error(`${init.name}: no openInAnotherProcess in the initializer`);
  return openRemoteEngine(init.openInAnotherProcess(engine), `${init.name} ${label}`);
}

export function capabilitiesOf(init: ConformanceInitializer, engine: Engine): EngineCapabilities {
  return { ...engine.capabilities, ...init.capabilities };
}

/** What a test can need beyond the contract every engine keeps. */
export type Requirement = 'raw reader' | 'reopen' | keyof EngineCapabilities;

/**
 * `it`, shown as skipped with the reason when the initializer or the engine lacks what the
 * test needs: in its name (`… (skipped: no raw reader)`) when that is known while vitest
 * collects, else as the skip note once the engine's capabilities are known. Never a silent pass.
 */
export function itNeeds(
  init: ConformanceInitializer,
  requirements: readonly Requirement[],
  name: string,
  test: (context: TestContext) => Promise<void>,
  capabilities?: () => EngineCapabilities,
): void {
  const known = requirements.map((requirement) => unmetAtCollection(init, requirement)).find((reason) => reason !== undefined);
  if (known) {
    it.skip(`${name} (skipped: ${known})`, test);
    return;
  }
  it(name, async (context) => {
    const declared = capabilities?.();
    const missing = declared && requirements.find((requirement) => requirement !== 'raw reader' && requirement !== 'reopen' && !declared[requirement]);
    if (missing) context.skip(`skipped: the engine declares ${missing}: false`);
    await test(context);
  });
}

function unmetAtCollection(init: ConformanceInitializer, requirement: Requirement): string | undefined {
  if (requirement === 'raw reader') return init.raw ? undefined : 'no raw reader';
  if (requirement === 'reopen') return init.reopen ? undefined : 'no reopen';
  return init.capabilities?.[requirement] === false ? `${requirement}: false` : undefined;
}

/** The raw reader of a test that declared it needs one. */
export function rawOf(ctx: SuiteContext): RawReader {
  const raw = ctx.raw;
  if (!raw) throw new Error('this test needs a raw reader');
  return raw;
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

/**
 * What `promise` rejected with, or `undefined` when it resolved: so `expect(await caught(p), 'rule')`
 * names the rule when a write that must be refused succeeds (vitest's `.rejects` drops the message then).
 */
export async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return error;
  }
}
