/**
 * `@rlms/core` - the engine and what its users meet: `createRLM`, results, events, errors, the spec
 * types, progress words and the framework adapter helpers.
 *
 * The other doors: `@rlms/core/spec` (the provider contract, type-only plus error classes),
 * `@rlms/core/sandbox` (the backend author's kit: frames, transports, the runtime source),
 * `@rlms/core/testing` (fakes, no test runner) and `@rlms/core/conformance` (vitest suites).
 */
export * from './spec/index.js';
export * from './errors/index.js';
export * from './engine/index.js';
export * from './progress/index.js';
export * from './adapters/index.js';
