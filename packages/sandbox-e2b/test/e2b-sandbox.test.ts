import { ConfigurationError } from '@rlms/core';
import { createFakeHost } from '@rlms/core/testing';
import {
  createGate,
  expectAbortFreesLateSandbox,
  expectCrashContained,
  expectTransportInterrupt,
  testSandboxProvider,
} from '@rlms/core/conformance';
import type { SandboxOpts } from 'e2b';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createE2BSandbox } from '../src/index.js';
import { E2BRuntimeTransport } from '../src/e2b-runtime-transport.js';
import {
  FakeE2BSandbox,
  createFakeE2BSandboxFactory,
  createFakeE2BSandboxProvider,
  type FakeE2BSandbox as FakeSandbox,
} from '../src/testing/index.js';

testSandboxProvider({ name: 'e2b', create: () => createFakeE2BSandboxProvider() });

describe('createE2BSandbox', () => {
  const fake = createFakeE2BSandboxFactory();
  afterAll(() => fake.killAll());
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('does no I/O at factory time and names E2B_API_KEY when the key is missing', async () => {
    vi.stubEnv('E2B_API_KEY', '');
    const provider = createE2BSandbox();
    expect(provider.name).toBe('e2b');
    expect(provider.capabilities).toMatchObject({ isolation: 'vm', network: false, interrupt: true, threads: true });
    const error = await provider.createSession({ host: createFakeHost() }).catch((caught: unknown) => caught);
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('E2B_API_KEY');
    expect((error as ConfigurationError).code).toBe('missing-api-key');
  });

  it('rejects invalid settings with a ConfigurationError naming the setting', () => {
    expect(() => createE2BSandbox({ timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => createE2BSandbox({ metadata: { a: 1 as unknown as string } })).toThrow(/metadata\.a/);
    expect(() => createE2BSandbox({ sandbox: {} as never })).toThrow(ConfigurationError);
  });

  it('creates tagged sandboxes with the network off, passes the key to the SDK only, and kills them on destroy', async () => {
    vi.stubEnv('E2B_API_KEY', 'e2b_test_key_123');
    const provider = createE2BSandbox({ sandbox: fake.create, metadata: { team: 'search' }, template: 'py312', timeoutMs: 60_000 });
    const session = await provider.createSession({ host: createFakeHost() });
    const sandbox = fake.sandboxes.at(-1)!;
    expect(sandbox.options).toMatchObject({
      template: 'py312',
      timeoutMs: 60_000,
      allowInternetAccess: false,
      apiKey: 'e2b_test_key_123',
      metadata: { team: 'search', rlms: 'true', rlmsSession: expect.any(String), rlmsCreatedAt: expect.any(String) },
    });
    expect(sandbox.options.envs).toBeUndefined();
    const started = sandbox.commands.started[0]!;
    expect(started.opts).toMatchObject({ background: true, stdin: true, timeoutMs: 0 });
    expect(started.opts.envs).toBeUndefined();
    const result = await session.execute('import os\nprint(any("e2b_test_key_123" in v for v in os.environ.values()))');
    expect(result.stdout).toBe('False\n');
    expect(provider.liveSessions).toBe(1);
    await session.destroy();
    expect(sandbox.killed).toBe(true);
    expect(provider.liveSessions).toBe(0);
  });

  it('kills a sandbox that arrives after the creation was aborted', async () => {
    const gate = createGate();
    const created: FakeSandbox[] = [];
    const slowFactory = async (options: SandboxOpts) => {
      await gate.pass();
      const sandbox = await FakeE2BSandbox.create(options);
      created.push(sandbox);
      return sandbox;
    };
    await expectAbortFreesLateSandbox({ provider: createE2BSandbox({ sandbox: slowFactory }), gate, freed: () => created[0]?.killed });
  });

  it('turns an SDK authentication failure into a ConfigurationError', async () => {
    const provider = createE2BSandbox({
      sandbox: async () => {
        throw Object.assign(new Error('Invalid API key'), { name: 'AuthenticationError' });
      },
    });
    await expect(provider.createSession({ host: createFakeHost() })).rejects.toSatisfy(
      (error: unknown) => ConfigurationError.isInstance(error) && /E2B_API_KEY/.test((error as Error).message),
    );
  });

  it('reports a crashed runtime as a dead session and kills its sandbox; close() ends the rest', async () => {
    await expectCrashContained({
      provider: createE2BSandbox({ sandbox: fake.create }),
      latestSandbox: () => fake.sandboxes.at(-1)!,
      isFreed: (sandbox) => sandbox.killed,
    });
  });

  it('runs several sessions in a shared sandbox instance and leaves it running', async () => {
    const shared = await FakeE2BSandbox.create({});
    try {
      const provider = createE2BSandbox({ sandbox: shared });
      const first = await provider.createSession({ host: createFakeHost() });
      const second = await provider.createSession({ host: createFakeHost() });
      await first.execute('x = "first"');
      expect((await second.execute('print("x" in globals())')).stdout).toBe('False\n');
      await first.destroy();
      await second.destroy();
      expect(shared.killed).toBe(false);
      const leftovers = await shared.commands.run('ls -A /tmp/rlms 2>/dev/null | wc -l', { cwd: '/tmp' });
      expect(leftovers.stdout.trim()).toBe('0');
    } finally {
      await shared.kill();
    }
  });

  it('delivers SIGINT through a helper command when asked to (the session’s fallback interrupt)', async () => {
    const sandbox = await fake.create({});
    const transport = await E2BRuntimeTransport.launch(sandbox, { directory: '/tmp/rlms/manual', python: 'python3', ownsSandbox: true });
    await expectTransportInterrupt({ sandbox: 'e2b', transport });
    expect(sandbox.commands.started.some((command) => /^kill -INT \d+$/.test(command.cmd))).toBe(true);
    expect(sandbox.killed).toBe(true);
  });
});
