import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The browser tests share one Chromium and one server per file; run files one at a time.
    fileParallelism: false,
  },
});
