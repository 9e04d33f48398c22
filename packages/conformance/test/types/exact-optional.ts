// Type-checked with exactOptionalPropertyTypes (tsconfig.exact.json): every option accepts undefined.
import { MemoryEngine } from '@sessions/core';
import type { ConformanceInitializer, ConformanceOptions } from '../../src/index.js';

const maybe = <T>(value: T): T | undefined => (Math.random() > 2 ? value : undefined);

export const options: ConformanceOptions = { numRuns: maybe(10), seed: maybe(1) };

export const initializer: ConformanceInitializer = {
  name: 'types',
  create: () => new MemoryEngine(),
  destroy: undefined,
  reopen: undefined,
  openInAnotherProcess: maybe(() => ({ module: '/dist/index.js', exportName: 'MyEngine', args: undefined, execArgv: undefined })),
  raw: undefined,
  capabilities: maybe({ persistent: false }),
  additionalTests: undefined,
};
