import { defineConfig } from 'vitest/config';

// Same limits as the repository's root config, for `pnpm vitest run` inside this package: the first
// session of a test file boots CPython in a fresh sandbox process (seconds on a busy machine).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // RLMS_CACHE_DIR → a temporary directory: tests never write snapshots into the user's cache.
    globalSetup: ['test/setup/isolated-cache-dir.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
