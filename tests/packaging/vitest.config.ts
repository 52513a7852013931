import { defineConfig } from 'vitest/config';

// The root config's limits, for running these files from this folder (`pnpm vitest run test/x.test.ts`).
// The install from the npm registry gets its own, longer limit in the test itself.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
