import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'tests/*/test/**/*.test.ts', 'bench/test/**/*.test.ts'],
    // RLMS_CACHE_DIR → a temporary directory: no test writes Pyodide snapshots into the user's cache.
    globalSetup: ['packages/sandbox-pyodide/test/setup/isolated-cache-dir.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
