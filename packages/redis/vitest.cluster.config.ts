import { defineConfig } from 'vitest/config';

/** `pnpm test:cluster`: only the Cluster tests (also part of `pnpm test`), on local Redis Clusters they start themselves. */
export default defineConfig({
  test: {
    include: ['test-cluster/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
