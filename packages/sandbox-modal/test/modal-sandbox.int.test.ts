/**
 * Live tests against Modal: the conformance suite and a leak check through the real SDK. They run
 * when MODAL_TOKEN_ID and MODAL_TOKEN_SECRET are set (each creates a few short-lived sandboxes in
 * the `rlms-test` App of your workspace) and are skipped otherwise.
 */
import { randomUUID } from 'node:crypto';
import { createFakeHost } from '@rlms/core/testing';
import { testSandboxProvider } from '@rlms/core/conformance';
import { describe, expect, it } from 'vitest';
import { createModalSandbox } from '../src/index.js';

const hasTokens = Boolean(process.env['MODAL_TOKEN_ID'] && process.env['MODAL_TOKEN_SECRET']);
if (!hasTokens) {
  console.info('[@rlms/sandbox-modal] live tests skipped: set MODAL_TOKEN_ID and MODAL_TOKEN_SECRET to run them against Modal.');
}

describe.skipIf(!hasTokens)('modal live', () => {
  testSandboxProvider({
    name: 'modal',
    create: () => createModalSandbox({ app: 'rlms-test', timeoutMs: 10 * 60_000 }),
    timeoutMs: 300_000,
  });

  it('leaves no sandbox running after destroy()', { timeout: 300_000 }, async () => {
    const { ModalClient } = await import('modal'); // loaded only when the live tests run
    const marker = randomUUID();
    const client = new ModalClient();
    try {
      const provider = createModalSandbox({ client, app: 'rlms-test', timeoutMs: 5 * 60_000, tags: { rlmsTest: marker } });
      const session = await provider.createSession({ host: createFakeHost() });
      expect((await session.execute('print(6 * 7)')).stdout).toBe('42\n');
      const running = async () => {
        const found: string[] = [];
        for await (const sandbox of client.sandboxes.list({ tags: { rlmsTest: marker } })) {
          if ((await sandbox.poll()) === null) found.push(sandbox.sandboxId);
        }
        return found;
      };
      expect(await running()).toHaveLength(1);
      await session.destroy();
      expect(await running()).toHaveLength(0);
    } finally {
      client.close();
    }
  });
});
