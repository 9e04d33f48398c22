import { describe } from 'vitest';
import type { EngineCapabilities } from '@sessions/core';
import { appendTests } from './groups/append.js';
import { crudTests } from './groups/crud.js';
import { differentialTests } from './groups/differential.js';
import { engineLifecycleTests } from './groups/engine-lifecycle.js';
import { filterTests } from './groups/filters.js';
import { largeSessionTests, type LargeSessionOptions } from './groups/large-sessions.js';
import { lockTests } from './groups/locks.js';
import { persistenceTests } from './groups/persistence.js';
import { runTests } from './groups/run.js';
import { sessionLifecycleTests } from './groups/session-lifecycle.js';
import { validationTests } from './groups/validation.js';
import type { ConformanceInitializer } from './initializer.js';

export interface ConformanceOptions extends LargeSessionOptions {
  /** Property-test runs for the differential groups. Default 150. */
  numRuns?: number;
  /**
   * Seed for the differential groups' random filters. Default: a new seed every run, so that
   * repeated runs cover more cases. A failure prints its seed; pass it here to replay that run.
   */
  seed?: number;
}

/**
 * Registers the whole conformance suite for one engine with vitest. Call it at the top
 * level of a test file. Groups an engine's capabilities exclude show as skipped.
 *
 * @example
 * // test/conformance.test.ts
 * import { runConformance } from '@sessions/conformance'
 * runConformance({ name: 'my-store', create: () => new MyEngine(...), destroy: (engine) => dropStore(engine) })
 */
export function runConformance(init: ConformanceInitializer, options: ConformanceOptions = {}): void {
  describe(`conformance: ${init.name}`, async () => {
    const capabilities = await probeCapabilities(init);
    engineLifecycleTests(init);
    crudTests(init);
    filterTests(init);
    differentialTests(init, options);
    appendTests(init);
    lockTests(init);
    runTests(init);
    sessionLifecycleTests(init);
    validationTests(init);
    persistenceTests(init, capabilities);
    largeSessionTests(init, options);
  });
}

async function probeCapabilities(init: ConformanceInitializer): Promise<EngineCapabilities> {
  const engine = await init.create();
  try {
    return { ...engine.capabilities, ...init.capabilities };
  } finally {
    await engine.close();
    await init.destroy?.(engine);
  }
}
