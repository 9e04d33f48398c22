import { defineConfig } from 'vitest/config';

// Runs the deliberately broken engines; only test/broken-variants.test.ts starts it.
export default defineConfig({
  test: {
    include: ['test/fixtures/*.fixture.ts'],
    testTimeout: 30_000,
  },
});
