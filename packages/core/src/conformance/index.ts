/**
 * `@rlms/core/conformance`: the conformance suites every model provider and sandbox backend runs,
 * and the end-to-end RLM suite. They register vitest tests, so this entry needs `vitest` (an
 * optional peer dependency); the runner-free fakes are in `@rlms/core/testing`.
 */
export * from './model/index.js';
export * from './sandbox/index.js';
export * from './e2e/index.js';
