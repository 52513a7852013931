import { ConfigurationError } from '@rlms/core';
import { createFakeHost } from '@rlms/core/testing';
import {
  createGate,
  expectAbortFreesLateSandbox,
  expectCrashContained,
  expectTransportInterrupt,
  testSandboxProvider,
} from '@rlms/core/conformance';
import type { CreateSandboxFromSnapshotParams } from '@daytonaio/sdk';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { createDaytonaSandbox } from '../src/index.js';
import { DaytonaRuntimeTransport } from '../src/daytona-runtime-transport.js';
import { FakeDaytonaClient, FakeDaytonaSandbox, createFakeDaytonaSandboxProvider } from '../src/testing/index.js';

// The whole conformance suite, through the adapter and the offline fake client. Not
// `frame-endless-header`: Daytona's daemon relays output in whole lines only, so a line that never
// ends stays inside the sandbox and never reaches the host (the in-process fake would buffer it).
testSandboxProvider({ name: 'daytona', create: () => createFakeDaytonaSandboxProvider(), skip: ['frame-endless-header'] });

describe('createDaytonaSandbox', () => {
  const client = new FakeDaytonaClient();
  afterAll(() => client.deleteAll());
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('does no I/O at factory time and names DAYTONA_API_KEY when the key is missing', async () => {
    vi.stubEnv('DAYTONA_API_KEY', '');
    vi.stubEnv('DAYTONA_JWT_TOKEN', '');
    const provider = createDaytonaSandbox();
    expect(provider.capabilities).toMatchObject({ network: false, interrupt: true, threads: true });
    const error = await provider.createSession({ host: createFakeHost() }).catch((caught: unknown) => caught);
    expect(ConfigurationError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('DAYTONA_API_KEY');
  });

  it('rejects invalid settings with a ConfigurationError naming the setting', () => {
    expect(() => createDaytonaSandbox({ cpu: 2 })).toThrow(/need `image`/);
    expect(() => createDaytonaSandbox({ image: 'python:3.12', snapshot: 'x' })).toThrow(/either `snapshot` or `image`/);
    expect(() => createDaytonaSandbox({ timeoutMs: 1.5 })).toThrow(/timeoutMs/);
  });

  it('creates labelled, ephemeral sandboxes with the network blocked, and deletes them on destroy', async () => {
    vi.stubEnv('DAYTONA_API_KEY', 'dtn_secret_canary');
    const provider = createDaytonaSandbox({ client, labels: { team: 'search' }, image: 'python:3.12-slim', cpu: 2, memoryGiB: 4, timeoutMs: 61_000 });
    expect(provider.capabilities.maxContextBytes).toBe(1024 * 1024 * 1024);
    const session = await provider.createSession({ host: createFakeHost() });
    const sandbox = client.createdSandboxes.at(-1)!;
    expect(sandbox.params).toMatchObject({
      image: 'python:3.12-slim',
      resources: { cpu: 2, memory: 4 },
      networkBlockAll: true,
      ephemeral: true,
      ttlMinutes: 2,
      autoStopInterval: 2,
      labels: { team: 'search', rlms: 'true', rlmsSession: expect.any(String), rlmsCreatedAt: expect.any(String) },
    });
    expect(sandbox.params.envVars).toBeUndefined();
    const result = await session.execute('import os\nprint(any("dtn_secret_canary" in v for v in os.environ.values()))');
    expect(result.stdout).toBe('False\n');
    await session.destroy();
    expect(sandbox.deleted).toBe(true);
  });

  it('deletes a sandbox that arrives after the creation was aborted', async () => {
    const gate = createGate();
    const slow = new FakeDaytonaClient();
    const create = slow.create.bind(slow);
    slow.create = async (params?: CreateSandboxFromSnapshotParams) => {
      await gate.pass();
      return create(params);
    };
    await expectAbortFreesLateSandbox({
      provider: createDaytonaSandbox({ client: slow }),
      gate,
      freed: () => slow.createdSandboxes[0]?.deleted,
    });
  });

  it('turns a Daytona authentication failure into a ConfigurationError', async () => {
    const failing = new FakeDaytonaClient();
    failing.create = async () => {
      throw Object.assign(new Error('Invalid API key'), { name: 'DaytonaAuthenticationError', statusCode: 401 });
    };
    await expect(createDaytonaSandbox({ client: failing }).createSession({ host: createFakeHost() })).rejects.toSatisfy(
      (error: unknown) => ConfigurationError.isInstance(error) && /DAYTONA_API_KEY/.test((error as Error).message),
    );
  });

  it('reports a crashed runtime as a dead session and deletes its sandbox; close() ends the rest', async () => {
    await expectCrashContained({
      provider: createDaytonaSandbox({ client }),
      latestSandbox: () => client.createdSandboxes.at(-1)!,
      isFreed: (sandbox) => sandbox.deleted,
    });
  });

  it('sends whole lines only: a frame written in two pieces reaches the runtime as one line', async () => {
    const sandbox = (await client.create({})) as FakeDaytonaSandbox;
    const directory = `${await sandbox.getWorkDir()}/.rlms/lines`;
    const transport = await DaytonaRuntimeTransport.launch(sandbox, { directory, sessionId: 'lines', python: 'python3' });
    const sent = vi.spyOn(sandbox.process, 'sendSessionCommandInput');
    let stdout = '';
    transport.start({ onStdout: (chunk) => (stdout += new TextDecoder().decode(chunk)), onStderr: () => {}, onExit: () => {} });
    try {
      await vi.waitFor(() => expect(stdout).toContain('"ready"'));
      await transport.write(new TextEncoder().encode('{"type":"configure","id":"h9",'));
      expect(sent).not.toHaveBeenCalled();
      await transport.write(new TextEncoder().encode('"tools":[],"maxOutputChars":100}\n'));
      expect(sent).toHaveBeenCalledTimes(1);
      expect(sent.mock.calls[0]![2]).toBe('{"type":"configure","id":"h9","tools":[],"maxOutputChars":100}\n');
      await vi.waitFor(() => expect(stdout).toMatch(/"id": ?"h9", ?"ok": ?true/));
    } finally {
      await transport.kill();
      await transport.close();
    }
    expect(sandbox.deleted).toBe(true);
  });

  it('delivers SIGINT through a one-shot command when asked to (the session’s fallback interrupt)', async () => {
    const sandbox = (await client.create({})) as FakeDaytonaSandbox;
    const directory = `${await sandbox.getWorkDir()}/.rlms/manual`;
    const transport = await DaytonaRuntimeTransport.launch(sandbox, { directory, sessionId: 'manual', python: 'python3' });
    await expectTransportInterrupt({ sandbox: 'daytona', transport });
    expect(sandbox.process.executed.some((command) => command.includes('kill -INT'))).toBe(true);
    expect(sandbox.deleted).toBe(true);
  });
});
