/**
 * Live tests against E2B: the conformance suite and a leak check through the real SDK. They run
 * when E2B_API_KEY is set (each creates a few short-lived sandboxes on your account) and are
 * skipped otherwise.
 */
import { randomUUID } from 'node:crypto';
import { createFakeHost } from '@rlms/core/testing';
import { testSandboxProvider } from '@rlms/core/conformance';
import { describe, expect, it } from 'vitest';
import { createE2BSandbox } from '../src/index.js';

const apiKey = process.env['E2B_API_KEY'];
if (!apiKey) console.info('[@rlms/sandbox-e2b] live tests skipped: set E2B_API_KEY to run them against E2B.');

describe.skipIf(!apiKey)('e2b live', () => {
  testSandboxProvider({ name: 'e2b', create: () => createE2BSandbox({ timeoutMs: 10 * 60_000 }), timeoutMs: 180_000 });

  it('leaves no sandbox running after destroy()', { timeout: 180_000 }, async () => {
    const { Sandbox } = await import('e2b'); // loaded only when the live tests run
    const marker = randomUUID();
    const provider = createE2BSandbox({ timeoutMs: 5 * 60_000, metadata: { rlmsTest: marker } });
    const session = await provider.createSession({ host: createFakeHost() });
    const result = await session.execute('import sys\nprint(sys.version_info >= (3, 10))');
    expect(result.stdout).toBe('True\n');
    const running = () => Sandbox.list({ query: { metadata: { rlmsTest: marker }, state: ['running'] } }).nextItems();
    expect(await running()).toHaveLength(1);
    await session.destroy();
    expect(await running()).toHaveLength(0);
  });
});
