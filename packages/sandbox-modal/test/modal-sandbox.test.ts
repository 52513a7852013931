import { ConfigurationError, RLMAbortError, SandboxSessionDeadError, createFrameSession } from '@rlms/core';
import { createFakeHost, testSandboxProvider } from '@rlms/core/testing';
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
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let entered = false;
    const slow = new FakeModalClient();
    const create = slow.sandboxes.create;
    slow.sandboxes.create = async (app: ModalApp, image: ModalImage, params?: SandboxCreateParams) => {
      entered = true;
      await gate;
      return create(app, image, params);
    };
    const provider = createModalSandbox({ client: slow });
    const controller = new AbortController();
    const pending = provider.createSession({ host: createFakeHost(), abortSignal: controller.signal });
    await vi.waitFor(() => expect(entered).toBe(true));
    controller.abort();
    await expect(pending).rejects.toSatisfy((error: unknown) => RLMAbortError.isInstance(error));
    release();
    await vi.waitFor(() => expect(slow.createdSandboxes[0]?.terminated).toBe(true));
  });

  it('reports a crashed runtime as a dead session and terminates its sandbox; close() ends the rest', async () => {
    const provider = createModalSandbox({ client });
    const crashing = await provider.createSession({ host: createFakeHost() });
    const crashed = client.createdSandboxes.at(-1)!;
    const survivor = await provider.createSession({ host: createFakeHost() });
    const surviving = client.createdSandboxes.at(-1)!;
    await expect(crashing.execute('import os\nos._exit(3)')).rejects.toSatisfy((error: unknown) =>
      SandboxSessionDeadError.isInstance(error),
    );
    await vi.waitFor(() => expect(crashed.terminated).toBe(true));
    expect(provider.liveSessions).toBe(2); // dead but not destroyed yet
    await provider.close();
    expect(provider.liveSessions).toBe(0);
    expect(surviving.terminated).toBe(true);
    await expect(survivor.execute('1')).rejects.toSatisfy((error: unknown) => SandboxSessionDeadError.isInstance(error));
  });

  it('delivers SIGINT through a helper exec when asked to (the session’s fallback interrupt)', async () => {
    const app = await client.apps.fromName('rlms', { createIfMissing: true });
    const sandbox = await client.sandboxes.create(app, client.images.fromRegistry('python:3.13-slim'));
    const transport = await ModalRuntimeTransport.launch(sandbox, { directory: '/tmp/rlms/manual', python: 'python3' });
    const host = createFakeHost();
    const session = await createFrameSession({ sandbox: 'modal', transport, host });
    try {
      const running = session.execute('llm_query("started")\nimport time\nfor _ in range(3000): time.sleep(0.01)');
      await vi.waitFor(() => expect(host.calls).toHaveLength(1));
      await transport.interrupt();
      expect((await running).error?.type).toBe('KeyboardInterrupt');
      expect(sandbox.executed.some(({ command }) => command.join(' ').includes('kill -INT'))).toBe(true);
    } finally {
      await session.destroy();
    }
    expect(sandbox.terminated).toBe(true);
  });
});
