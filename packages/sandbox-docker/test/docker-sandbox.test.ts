/**
 * Docker-specific behaviour against a real engine: isolation, limits, out-of-memory, image and
 * interpreter errors, abort, large contexts, reuse. Skipped (with a message) when no engine is
 * reachable, unless CI is set.
 */
import { randomUUID } from 'node:crypto';
import Dockerode from 'dockerode';
import { RLMAbortError, SandboxSessionDeadError, type HostBridge } from '@rlms/core';
import { FrameDecoder, PROTOCOL_VERSION } from '@rlms/core/sandbox';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DockerImageNotFoundError,
  DockerPythonUnavailableError,
  createDockerSandbox,
  type DockerSandboxProvider,
  type DockerSandboxSettings,
} from '../src/index.js';
import { resolveDockerSandboxSettings } from '../src/docker-sandbox-settings.js';
import { SandboxContainer } from '../src/sandbox-container.js';
import { createTarStream } from '../src/tar-writer.js';
import { TEST_IMAGE, dockerSuiteTitle, listSandboxContainers, shouldSkipDockerTests } from './docker-test-env.js';

const skip = await shouldSkipDockerTests();
const RUN_LABEL = 'test.rlms.run';
const runId = randomUUID();
const docker = new Dockerode();
const host: HostBridge = {
  call: async (request) => (request.op === 'llm_query' ? `llm:${request.prompt}` : null),
};

const providers: DockerSandboxProvider[] = [];
/** A provider on the test image whose containers carry this file's run label. */
function provider(settings: DockerSandboxSettings = {}): DockerSandboxProvider {
  const created = createDockerSandbox({
    image: TEST_IMAGE,
    pull: 'never',
    memoryMiB: 256,
    interruptGraceMs: 1000,
    ...settings,
    labels: { [RUN_LABEL]: runId, ...settings.labels },
  });
  providers.push(created);
  return created;
}
const ourContainers = () => listSandboxContainers(docker, `${RUN_LABEL}=${runId}`);

describe.skipIf(skip)(dockerSuiteTitle('docker sandbox on a real engine', skip), () => {
  afterAll(async () => {
    await Promise.all(providers.map((created) => created.close()));
    expect(await ourContainers()).toEqual([]);
  });

  it('runs code as an unprivileged user in a limited, labelled container without host environment', async () => {
    process.env['RLMS_TEST_SECRET_API_KEY'] = 'sk-must-not-leak';
    const sandbox = provider({ cpus: 0.5, pidsLimit: 64 });
    const session = await sandbox.createSession({ host });
    try {
      const result = await session.execute(
        [
          'import os, json',
          'print(json.dumps({"uid": os.getuid(), "env": sorted(os.environ), "cwd": os.getcwd(),',
          '  "leak": any("sk-must-not-leak" in v for v in os.environ.values()), "answer": llm_query("ping")}))',
        ].join('\n'),
      );
      expect(result.error).toBeUndefined();
      const seen = JSON.parse(result.stdout) as { uid: number; env: string[]; cwd: string; leak: boolean; answer: string };
      expect(seen.uid).toBe(65534);
      expect(seen.leak).toBe(false);
      expect(seen.env).not.toContain('RLMS_TEST_SECRET_API_KEY');
      expect(seen.env.filter((name) => /KEY|TOKEN|SECRET/i.test(name))).toEqual([]);
      expect(seen.cwd).toBe('/tmp/rlms');
      expect(seen.answer).toBe('llm:ping');

      const info = await docker.getContainer(session.containerId).inspect();
      expect(info.HostConfig.NetworkMode).toBe('none');
      expect(info.HostConfig.Memory).toBe(256 * 1024 * 1024);
      expect(info.HostConfig.MemorySwap).toBe(256 * 1024 * 1024);
      expect(info.HostConfig.NanoCpus).toBe(500_000_000);
      expect(info.HostConfig.PidsLimit).toBe(64);
      expect(info.HostConfig.CapDrop).toEqual(['ALL']);
      expect(info.Config.User).toBe('65534:65534');
      expect(info.Config.Labels).toMatchObject({
        'dev.rlms.sandbox': '1',
        'dev.rlms.owner-pid': String(process.pid),
        [RUN_LABEL]: runId,
      });
      expect(Number(info.Config.Labels['dev.rlms.created'])).toBeGreaterThan(0);
      expect(info.Config.Env.join('\n')).not.toContain('sk-must-not-leak');
    } finally {
      delete process.env['RLMS_TEST_SECRET_API_KEY'];
      await session.destroy();
    }
    expect(await ourContainers()).toEqual([]);
  });

  it('has no network: connecting a socket and resolving names fail', async () => {
    const session = await provider().createSession({ host });
    try {
      const result = await session.execute(
        [
          'import socket',
          'outcomes = {}',
          'for target in [("1.1.1.1", 53), ("172.17.0.1", 2375), ("10.0.0.1", 80)]:',
          '    s = socket.socket(); s.settimeout(3)',
          '    try:',
          '        s.connect(target); outcomes[target[0]] = "connected"',
          '    except OSError as e:',
          '        outcomes[target[0]] = type(e).__name__',
          '    finally:',
          '        s.close()',
          'try:',
          '    socket.getaddrinfo("example.com", 80); outcomes["dns"] = "resolved"',
          'except OSError as e:',
          '    outcomes["dns"] = type(e).__name__',
          'print(sorted(set(name for _, name in socket.if_nameindex())))',
          'print(outcomes)',
        ].join('\n'),
      );
      expect(result.error).toBeUndefined();
      const [interfaces, outcomes] = result.stdout.trim().split('\n');
      expect(interfaces).toBe("['lo']");
      expect(outcomes).not.toContain('connected');
      expect(outcomes).not.toContain('resolved');
    } finally {
      await session.destroy();
    }
  });

  it('reports the memory limit as an out-of-memory session death, then keeps serving new sessions', async () => {
    const sandbox = provider({ memoryMiB: 96 });
    const session = await sandbox.createSession({ host });
    await session.execute('kept = 1');
    const error = await session
      .execute('blocks = []\nfor _ in range(64):\n    blocks.append(bytearray(16 * 1024 * 1024))')
      .catch((caught: unknown) => caught);
    expect(SandboxSessionDeadError.isInstance(error)).toBe(true);
    expect((error as SandboxSessionDeadError).reason).toBe('out-of-memory');
    expect((error as Error).message).toMatch(/96 MiB.*memoryMiB/s);
    // Later calls fail the same way; destroy is clean and idempotent.
    await expect(session.execute('kept')).rejects.toSatisfy((next: unknown) => SandboxSessionDeadError.isInstance(next));
    await session.destroy();
    await session.destroy();
    const next = await sandbox.createSession({ host });
    try {
      expect((await next.execute('print(6 * 7)')).stdout).toBe('42\n');
    } finally {
      await next.destroy();
    }
    expect(await ourContainers()).toEqual([]);
  });

  it('enforces the pids limit: thread creation fails inside Python and the session lives on', async () => {
    const session = await provider({ pidsLimit: 24 }).createSession({ host });
    try {
      const result = await session.execute(
        [
          'import threading',
          'release = threading.Event(); started = []',
          'try:',
          '    for _ in range(200):',
          '        t = threading.Thread(target=release.wait, daemon=True); t.start(); started.append(t)',
          'except RuntimeError as e:',
          '    print("limited", type(e).__name__)',
          'finally:',
          '    release.set()',
          '    for t in started: t.join()',
          'print(len(started) < 24)',
        ].join('\n'),
      );
      expect(result.error).toBeUndefined();
      expect(result.stdout).toBe('limited RuntimeError\nTrue\n');
      expect((await session.execute('print("alive")')).stdout).toBe('alive\n');
    } finally {
      await session.destroy();
    }
  });

  it('kills a container whose code ignores the interrupt and leaves nothing behind', async () => {
    const session = await provider({ interruptGraceMs: 600 }).createSession({ host });
    const error = await session
      .execute('import time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass', {
        timeoutMs: 300,
      })
      .catch((caught: unknown) => caught);
    expect(SandboxSessionDeadError.isInstance(error)).toBe(true);
    expect((error as SandboxSessionDeadError).reason).toBe('timeout');
    await session.destroy();
    expect(await ourContainers()).toEqual([]);
  });

  it('delivers SIGINT to the runtime through a second exec (the interrupt fallback)', async () => {
    const settings = resolveDockerSandboxSettings({ image: TEST_IMAGE, memoryMiB: 128, labels: { [RUN_LABEL]: runId } });
    const container = await SandboxContainer.create(docker, settings);
    try {
      const runtime = await container.startRuntime();
      const decoder = new FrameDecoder({ sandbox: 'docker' });
      const frames: Record<string, unknown>[] = [];
      let wake: () => void = () => undefined;
      runtime.stdout.on('data', (chunk: Buffer) => {
        frames.push(...decoder.push(chunk).map((frame) => frame.header as Record<string, unknown>));
        wake();
      });
      const nextFrame = async (): Promise<Record<string, unknown>> => {
        while (frames.length === 0) await new Promise<void>((resolve) => (wake = resolve));
        return frames.shift() as Record<string, unknown>;
      };
      expect(await nextFrame()).toMatchObject({ type: 'ready', protocol: PROTOCOL_VERSION });
      runtime.socket.write(`${JSON.stringify({ type: 'execute', id: 'h1', code: 'import time\nopen("started", "w").close()\nwhile True: time.sleep(0.01)' })}\n`);
      // SIGINT only interrupts a running cell: wait until it has started.
      const started = ['python3', '-c', 'import os; print(os.path.exists("/tmp/rlms/started"))'];
      while ((await container.run(started)).stdout.trim() !== 'True') await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await container.signalRuntime('SIGINT')).toBe(true);
      const reply = await nextFrame();
      expect(reply).toMatchObject({ type: 'response', id: 'h1', ok: true, value: { error: { type: 'KeyboardInterrupt' } } });
      runtime.socket.destroy();
    } finally {
      await container.remove();
    }
  });

  it('loads a 10 MB context copied in with putArchive and deletes the file afterwards', async () => {
    const session = await provider().createSession({ host });
    try {
      const text = 'abcdefghij'.repeat(1024 * 1024);
      const info = await session.loadContext({ format: 'text', bytes: new TextEncoder().encode(text) });
      expect(info).toEqual({ type: 'str', length: text.length, bytes: text.length });
      const result = await session.execute('import os\nprint(context[:5], len(context), sorted(os.listdir(".")))');
      expect(result.stdout).toBe("abcde 10485760 ['rlms_runtime.py', 'runtime.pid']\n");
    } finally {
      await session.destroy();
    }
  });

  it('reuses idle containers with a fresh runtime and an empty work directory', async () => {
    const sandbox = provider({ reuse: { maxIdle: 1 } });
    const first = await sandbox.createSession({ host });
    await first.execute('secret = 1\nopen("note.txt", "w").write("x")');
    const containerId = first.containerId;
    await first.destroy();
    expect((await ourContainers()).map((info) => info.Id)).toContain(containerId);
    const second = await sandbox.createSession({ host });
    try {
      expect(second.containerId).toBe(containerId);
      const result = await second.execute('import os\nprint("secret" in globals(), os.path.exists("note.txt"))');
      expect(result.stdout).toBe('False False\n');
    } finally {
      await second.destroy();
    }
    await sandbox.close();
    expect((await ourContainers()).map((info) => info.Id)).not.toContain(containerId);
  });

  it('fails with DockerImageNotFoundError when the image is missing and cannot be pulled', async () => {
    const never = await provider({ image: 'rlms-missing-image:never', pull: 'never' })
      .createSession({ host })
      .catch((caught: unknown) => caught);
    expect(DockerImageNotFoundError.isInstance(never)).toBe(true);
    expect((never as Error).message).toMatch(/pulling is disabled/);
    // A registry that refuses connections: the pull fails at once.
    const pulled = await provider({ image: 'localhost:1/rlms-missing:never', pull: 'missing' })
      .createSession({ host })
      .catch((caught: unknown) => caught);
    expect(DockerImageNotFoundError.isInstance(pulled)).toBe(true);
    expect((pulled as DockerImageNotFoundError).image).toBe('localhost:1/rlms-missing:never');
    expect((pulled as Error).message).toMatch(/pulling it failed/);
  });

  it('fails with DockerPythonUnavailableError when the interpreter is missing', async () => {
    const error = await provider({ pythonPath: 'python9' })
      .createSession({ host })
      .catch((caught: unknown) => caught);
    expect(DockerPythonUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/"python9" was not found/);
    expect(await ourContainers()).toEqual([]);
  });

  it('fails with DockerPythonUnavailableError when the interpreter is older than 3.10', async () => {
    // An image with an interpreter that claims to be 3.9: a wrapper that fakes sys.version_info.
    const wrapper = [
      '#!/usr/bin/env python3',
      'import sys',
      'sys.version_info = (3, 9, 18, "final", 0)',
      'code = sys.argv[2]',
      'sys.argv = ["-c"] + sys.argv[3:]',
      'exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})',
    ].join('\n');
    const base = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ['true'], Labels: { [RUN_LABEL]: runId } });
    const repo = 'rlms-test-old-python';
    const tag = runId.slice(0, 8);
    try {
      await base.putArchive(
        createTarStream([{ name: 'usr/local/bin/python-old', data: Buffer.from(`${wrapper}\n`), mode: 0o755 }]),
        { path: '/' },
      );
      await base.commit({ repo, tag });
      const error = await provider({ image: `${repo}:${tag}`, pythonPath: '/usr/local/bin/python-old' })
        .createSession({ host })
        .catch((caught: unknown) => caught);
      expect(DockerPythonUnavailableError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/Python >= 3\.10 is required/);
      expect(await ourContainers()).toEqual([]);
    } finally {
      await base.remove({ force: true });
      await docker.getImage(`${repo}:${tag}`).remove({ force: true }).catch(() => undefined);
    }
  });

  it('an abort during createSession rejects with RLMAbortError and leaves no container', async () => {
    const sandbox = provider();
    for (const delayMs of [0, 50, 150, 300]) {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new Error('stop')), delayMs);
      const outcome = await sandbox.createSession({ host, abortSignal: controller.signal }).then(
        async (session) => {
          await session.destroy(); // finished before the abort: fine too
          return 'created';
        },
        (error: unknown) => error,
      );
      clearTimeout(timer);
      if (outcome !== 'created') expect(RLMAbortError.isInstance(outcome)).toBe(true);
    }
    expect(await ourContainers()).toEqual([]);
  });
});
