/**
 * `@rlms/core/testing`: fakes for tests, usable with any test runner (no vitest import).
 * The vitest-bound conformance suites live in `@rlms/core/conformance`; the OpenAI-compatible test
 * server lives in `@rlms/openai/testing`.
 */
export * from './mock/index.js';
export * from './sandbox/index.js';
export * from './e2e/index.js';
