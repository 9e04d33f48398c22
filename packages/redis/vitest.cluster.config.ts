import { defineConfig } from 'vitest/config';

/** `pnpm test:cluster`: the conformance suite on a local three-master Redis Cluster it starts itself. */
export default defineConfig({
  test: {
    include: ['test-cluster/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
