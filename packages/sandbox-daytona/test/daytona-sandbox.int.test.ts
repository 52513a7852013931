/**
 * Live tests against Daytona: the conformance suite and a leak check through the real SDK. They
 * run when DAYTONA_API_KEY is set (each creates a few short-lived sandboxes in your organization)
 * and are skipped otherwise.
 */
import { randomUUID } from 'node:crypto';
import { createFakeHost } from '@rlms/core/testing';
import { testSandboxProvider } from '@rlms/core/conformance';
import { describe, expect, it } from 'vitest';
import { createDaytonaSandbox } from '../src/index.js';

const apiKey = process.env['DAYTONA_API_KEY'];
if (!apiKey) console.info('[@rlms/sandbox-daytona] live tests skipped: set DAYTONA_API_KEY to run them against Daytona.');

describe.skipIf(!apiKey)('daytona live', () => {
  // Not `frame-endless-header`: the daemon relays whole lines only (the line stays in the sandbox).
  testSandboxProvider({
    name: 'daytona',
    create: () => createDaytonaSandbox({ timeoutMs: 10 * 60_000 }),
    timeoutMs: 300_000,
    skip: ['frame-endless-header'],
  });

  it('leaves no sandbox behind after destroy()', { timeout: 300_000 }, async () => {
    const { Daytona } = await import('@daytonaio/sdk'); // loaded only when the live tests run
    const marker = randomUUID();
    const daytona = new Daytona();
    const provider = createDaytonaSandbox({ client: daytona, timeoutMs: 5 * 60_000, labels: { rlmsTest: marker } });
    const session = await provider.createSession({ host: createFakeHost() });
    expect((await session.execute('print(6 * 7)')).stdout).toBe('42\n');
    const alive = async () => {
      const found: string[] = [];
      for await (const sandbox of daytona.list({ labels: { rlmsTest: marker } })) {
        if (sandbox.state !== 'destroyed' && sandbox.state !== 'destroying') found.push(sandbox.id);
      }
      return found;
    };
    expect(await alive()).toHaveLength(1);
    await session.destroy();
    expect(await alive()).toHaveLength(0);
  });
});
