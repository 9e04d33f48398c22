import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // test-cluster/ starts its own Redis Cluster processes on free loopback ports.
    include: ['test/**/*.test.ts', 'test-cluster/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
