import { describe } from 'vitest';
import { useEngine } from './harness.js';
import { appendTests } from './groups/append.js';
import { crossProcessTests } from './groups/cross-process.js';
import { crudTests } from './groups/crud.js';
import { differentialTests } from './groups/differential.js';
import { engineLifecycleTests } from './groups/engine-lifecycle.js';
import { filterTests } from './groups/filters.js';
import { largeSessionTests } from './groups/large-sessions.js';
import { hookRuleTests } from './groups/hook-rules.js';
import { lockTests } from './groups/locks.js';
import { persistenceTests } from './groups/persistence.js';
import { runTests } from './groups/run.js';
import { sessionLifecycleTests } from './groups/session-lifecycle.js';
import { storedRowTests } from './groups/stored-rows.js';
import { validationTests } from './groups/validation.js';
import type { ConformanceInitializer } from './initializer.js';
import type { ConformanceOptions } from './options.js';

export type { ConformanceOptions } from './options.js';

/** A group of the suite: each takes the same two arguments and registers its tests with vitest. */
export type ConformanceGroup = (init: ConformanceInitializer, options?: ConformanceOptions) => void;

/** Every group, in the order `runConformance` registers them. */
export const CONFORMANCE_GROUPS: readonly ConformanceGroup[] = [
  engineLifecycleTests,
  crudTests,
  filterTests,
  differentialTests,
  appendTests,
  lockTests,
  runTests,
  sessionLifecycleTests,
  validationTests,
  hookRuleTests,
  largeSessionTests,
  storedRowTests,
  persistenceTests,
  crossProcessTests,
];

/**
 * Registers the whole conformance suite for one engine with vitest. Call it at the top
 * level of a test file. Nothing touches a store until the tests run (engines are created in
 * `beforeAll`); tests an engine's capabilities or the initializer exclude show as skipped,
 * with the reason.
 *
 * @example
 * // test/conformance.test.ts
 * import { runConformance } from '@sessions/conformance'
 * runConformance({ name: 'my-store', create: () => new MyEngine(...), destroy: (engine) => dropStore(engine) })
 */
export function runConformance(init: ConformanceInitializer, options: ConformanceOptions = {}): void {
  describe(`conformance: ${init.name}`, () => {
    for (const group of CONFORMANCE_GROUPS) group(init, options);
    if (init.additionalTests) {
      const additionalTests = init.additionalTests;
      describe(`${init.name}: additional tests`, () => additionalTests(useEngine(init)));
    }
  });
}
