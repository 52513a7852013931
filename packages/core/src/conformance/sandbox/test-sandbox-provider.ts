import { describe, expect } from 'vitest';
import { defineContextCases } from './sandbox-cases-context.js';
import { defineHostCases } from './sandbox-cases-host.js';
import { defineLifecycleCases } from './sandbox-cases-lifecycle.js';
import { defineLimitCases } from './sandbox-cases-limits.js';
import { defineReplCases } from './sandbox-cases-repl.js';
import { createSuiteHarness, type SandboxProviderTestOptions } from './sandbox-suite-harness.js';

/**
 * Ids of the conformance cases, usable in `testSandboxProvider({ skip })`. Cases that depend on a
 * capability (`llm-query-threads` → `threads`, `timeout` and `abort-at-once` → `interrupt`, `fd-output` →
 * `subprocess`, `frame-attack` / `frame-endless-header` → a stdio runtime, i.e. not `wasm`) are
 * skipped automatically when the provider declares it cannot do it.
 */
export const SANDBOX_CONFORMANCE_CASES: readonly string[] = Object.freeze([
  'spec',
  'persistence',
  'stdout-stderr',
  'exceptions',
  'last-expression',
  'final',
  'final-var',
  'final-var-undefined',
  'show-vars',
  'llm-query',
  'llm-query-batched',
  'llm-query-threads',
  'host-error',
  'rlm-query',
  'tools',
  'unicode',
  'large-context-json',
  'large-context-text',
  'context-errors',
  'timeout',
  'output-flood',
  'env-isolation',
  'destroy',
  'destroy-aborts-host-calls',
  'session-isolation',
  'abort',
  'abort-at-once',
  'fd-output',
  'frame-limit',
  'frame-attack',
  'frame-endless-header',
]);

/**
 * The sandbox conformance suite: call it at the top level of a vitest test file with a factory of
 * the provider under test. It reads `provider.capabilities` to decide which cases apply, and uses its
 * own fake host (`createFakeHost`). Cheap cases share one session; cases that kill, flood, time out
 * or load 50 MB use fresh sessions, destroyed after each case.
 *
 * @example
 * ```ts
 * import { testSandboxProvider } from '@rlms/core/conformance';
 * import { createLocalSandbox } from '@rlms/sandbox-local';
 * testSandboxProvider({ name: 'local', create: () => createLocalSandbox() });
 * ```
 */
export function testSandboxProvider(options: SandboxProviderTestOptions): void {
  describe(`sandbox conformance: ${options.name}`, () => {
    const h = createSuiteHarness(options);
    h.defineCase('spec', 'declares the sandbox specification and capabilities', async () => {
      const provider = h.provider();
      expect(provider.specificationVersion).toBe('rlms-sandbox-v1');
      expect(provider.name).toBe(options.name);
      const capabilities = provider.capabilities;
      expect(['none', 'wasm', 'container', 'vm']).toContain(capabilities.isolation);
      for (const flag of ['network', 'nativePackages', 'subprocess', 'interrupt', 'threads'] as const) {
        expect(typeof capabilities[flag]).toBe('boolean');
      }
      const { session } = await h.shared();
      expect(typeof session.id).toBe('string');
      expect(session.id).not.toBe('');
    });
    defineReplCases(h);
    defineHostCases(h);
    defineContextCases(h);
    defineLifecycleCases(h);
    defineLimitCases(h);
  });
}
