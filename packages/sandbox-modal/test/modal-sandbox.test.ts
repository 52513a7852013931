import { ConfigurationError } from '@rlms/core';
import { createFakeHost } from '@rlms/core/testing';
import {
  createGate,
  expectAbortFreesLateSandbox,
  expectCrashContained,
  expectTransportInterrupt,
  testSandboxProvider,
} from '@rlms/core/conformance';
import type { SandboxCreateParams } from 'modal';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createModalSandbox, type ModalApp, type ModalImage } from '../src/index.js';
import { ModalRuntimeTransport } from '../src/modal-runtime-transport.js';
import { FakeModalClient, createFakeModalSandboxProvider } from '../src/testing/index.js';

// The whole conformance suite, through the adapter and the offline fake client.
testSandboxProvider({ name: 'modal', create: () => createFakeModalSandboxProvider() });

describe('createModalSandbox', () => {
  const client = new FakeModalClient();
  afterAll(() => client.terminateAll());
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('does no I/O at factory time and names the missing token variables', async () => {
    vi.stubEnv('MODAL_CONFIG_PATH', '/nonexistent/rlms-test/.modal.toml');
    vi.stubEnv('MODAL_TOKEN_ID', '');
    vi.stubEnv('MODAL_TOKEN_SECRET', '');
    const provider = createModalSandbox();
    expect(provider.capabilities).toMatchObject({ isolation: 'container', network: false, interrupt: true });
    const both = await provider.createSession({ host: createFakeHost() }).catch((caught: unknown) => caught);
    expect(ConfigurationError.isInstance(both)).toBe(true);
    expect((both as Error).message).toMatch(/MODAL_TOKEN_ID and MODAL_TOKEN_SECRET/);
    vi.stubEnv('MODAL_TOKEN_ID', 'ak-test');
    const one = await provider.createSession({ host: createFakeHost() }).catch((caught: unknown) => caught);
    expect((one as Error).message).toMatch(/set the MODAL_TOKEN_SECRET environment variable/);
  });

  it('rejects invalid settings with a ConfigurationError naming the setting', () => {
    expect(() => createModalSandbox({ memoryMiB: 0 })).toThrow(/memoryMiB/);
    expect(() => createModalSandbox({ cpu: Number.NaN })).toThrow(/cpu/);
    expect(() => createModalSandbox({ image: '' })).toThrow(/image/);
  });

  it('creates tagged sandboxes with the network blocked and the requested size, and terminates them on destroy', async () => {
    vi.stubEnv('MODAL_TOKEN_SECRET', 'as-secret-canary');
    const provider = createModalSandbox({ client, app: 'my-app', image: 'python:3.12-slim', cpu: 2, memoryMiB: 2048, tags: { team: 'search' } });
    expect(provider.capabilities.maxContextBytes).toBe(512 * 1024 * 1024);
    const session = await provider.createSession({ host: createFakeHost() });
    const sandbox = client.createdSandboxes.at(-1)!;
    expect(sandbox.image.imageId).toBe('im-fake-python:3.12-slim');
    expect(sandbox.params).toMatchObject({
      cpu: 2,
      memoryMiB: 2048,
      timeoutMs: 900_000,
      blockNetwork: true,
      tags: { team: 'search', rlms: 'true', rlmsSession: expect.any(String), rlmsCreatedAt: expect.any(String) },
    });
    expect(sandbox.params.env).toBeUndefined();
    expect(sandbox.params.secrets).toBeUndefined();
    expect(sandbox.executed[0]!.params).toMatchObject({ mode: 'binary', workdir: expect.stringMatching(/^\/tmp\/rlms\//) });
    const result = await session.execute('import os\nprint(any("as-secret-canary" in v for v in os.environ.values()))');
    expect(result.stdout).toBe('False\n');
    await session.destroy();
    expect(sandbox.terminated).toBe(true);
    expect(client.closed).toBe(false); // an injected client belongs to the caller
  });

  it('terminates a sandbox that arrives after the creation was aborted', async () => {
    const gate = createGate();
    const slow = new FakeModalClient();
    const create = slow.sandboxes.create;
    slow.sandboxes.create = async (app: ModalApp, image: ModalImage, params?: SandboxCreateParams) => {
      await gate.pass();
      return create(app, image, params);
    };
    await expectAbortFreesLateSandbox({
      provider: createModalSandbox({ client: slow }),
      gate,
      freed: () => slow.createdSandboxes[0]?.terminated,
    });
  });

  it('reports a crashed runtime as a dead session and terminates its sandbox; close() ends the rest', async () => {
    await expectCrashContained({
      provider: createModalSandbox({ client }),
      latestSandbox: () => client.createdSandboxes.at(-1)!,
      isFreed: (sandbox) => sandbox.terminated,
    });
  });

  it('delivers SIGINT through a helper exec when asked to (the session’s fallback interrupt)', async () => {
    const app = await client.apps.fromName('rlms', { createIfMissing: true });
    const sandbox = await client.sandboxes.create(app, client.images.fromRegistry('python:3.13-slim'));
    const transport = await ModalRuntimeTransport.launch(sandbox, { directory: '/tmp/rlms/manual', python: 'python3' });
    await expectTransportInterrupt({ sandbox: 'modal', transport });
    expect(sandbox.executed.some(({ command }) => command.join(' ').includes('kill -INT'))).toBe(true);
    expect(sandbox.terminated).toBe(true);
  });
});
