import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, SandboxSessionDeadError } from '@rlms/core';
import type { FrameSession } from '@rlms/core/sandbox';
import { createFakeHost } from '@rlms/core/testing';
import { testSandboxProvider } from '@rlms/core/conformance';
import {
  createLocalSandbox,
  PythonNotFoundError,
  type LocalSandboxProvider,
  type LocalSandboxSettings,
} from '../src/index.js';

testSandboxProvider({ name: 'local', create: () => createLocalSandbox() });

/** True while `pid` exists and is not a zombie (an orphaned zombie waits for PID 1 to reap it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no procfs: signal 0 succeeded
  }
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return condition();
}

describe('local sandbox specifics', () => {
  // Every provider a case creates is closed afterwards, even when an assertion failed midway.
  const providers: LocalSandboxProvider[] = [];
  const sandbox = (settings?: LocalSandboxSettings): LocalSandboxProvider => {
    const provider = createLocalSandbox(settings);
    providers.push(provider);
    return provider;
  };
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close()));
  });

  it('kills a session whose code ignores KeyboardInterrupt, leaving no process', async () => {
    const session = (await sandbox({ interruptGraceMs: 500 }).createSession({ host: createFakeHost() })) as FrameSession;
    const pid = session.runtimeInfo?.pid;
    expect(typeof pid).toBe('number');
    // Ignores interrupts for sure: its own SIGINT handler, and a try/except around the loop.
    const stubborn =
      'import signal\nsignal.signal(signal.SIGINT, lambda *args: None)\n' +
      'while True:\n    try:\n        while True:\n            pass\n    except KeyboardInterrupt:\n        pass';
    const error = await session.execute(stubborn, { timeoutMs: 300 }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(SandboxSessionDeadError.isInstance(error)).toBe(true);
    expect((error as SandboxSessionDeadError).reason).toBe('timeout');
    expect(await waitUntil(() => !isAlive(pid as number), 5_000)).toBe(true);
    await expect(session.execute('1')).rejects.toSatisfy((e: unknown) => SandboxSessionDeadError.isInstance(e));
    await session.destroy();
  });

  it('destroy() kills subprocesses the model spawned and removes the temp dir', async () => {
    const session = await sandbox().createSession({ host: createFakeHost() });
    const result = await session.execute(
      "import os, subprocess\nrlms_child = subprocess.Popen(['sleep', '1000'])\nprint(rlms_child.pid)\nprint(os.getcwd())",
    );
    expect(result.error).toBeUndefined();
    const [childPid, cwd] = result.stdout.trim().split('\n');
    expect(isAlive(Number(childPid))).toBe(true);
    expect(existsSync(cwd as string)).toBe(true);
    await session.destroy();
    expect(await waitUntil(() => !isAlive(Number(childPid)), 5_000)).toBe(true);
    expect(existsSync(cwd as string)).toBe(false);
  });

  it('gives Python a minimal environment with a private HOME', async () => {
    // The real interpreter, not a wrapper script (pyenv shims add variables of their own).
    const pythonPath = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    const session = await sandbox({ pythonPath, env: { RLMS_EXTRA: 'given' } }).createSession({ host: createFakeHost() });
    const result = await session.execute(
      "import os, json\nprint(json.dumps(sorted(os.environ)))\nprint(os.environ['HOME'] == os.getcwd(), os.environ['RLMS_EXTRA'])",
    );
    expect(result.error).toBeUndefined();
    const [names, check] = result.stdout.trim().split('\n');
    const allowed = ['HOME', 'LANG', 'LC_CTYPE', 'PATH', 'PYTHONIOENCODING', 'PYTHONUNBUFFERED', 'RLMS_EXTRA', 'RLMS_LOCAL_SESSION', 'TMPDIR'];
    for (const name of JSON.parse(names as string) as string[]) expect(allowed).toContain(name);
    expect(check).toBe('True given');
  });

  it('rejects with PythonNotFoundError when the interpreter is missing', async () => {
    const sandbox = createLocalSandbox({ pythonPath: '/nonexistent/python3.99' });
    const error = await sandbox.createSession({ host: createFakeHost() }).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(PythonNotFoundError.isInstance(error)).toBe(true);
    expect((error as PythonNotFoundError).code).toBe('python-not-found');
    expect((error as Error).message).toContain('pythonPath');
  });

  it('uses RLMS_PYTHON when pythonPath is not set', () => {
    const previous = process.env.RLMS_PYTHON;
    process.env.RLMS_PYTHON = '/opt/custom/python3';
    try {
      expect(createLocalSandbox().pythonPath).toBe('/opt/custom/python3');
      expect(createLocalSandbox({ pythonPath: 'python3' }).pythonPath).toBe('python3');
    } finally {
      if (previous === undefined) delete process.env.RLMS_PYTHON;
      else process.env.RLMS_PYTHON = previous;
    }
  });

  it('validates settings without doing I/O', () => {
    expect(() => createLocalSandbox({ pythonPath: '' })).toThrow(ConfigurationError);
    expect(() => createLocalSandbox({ env: { A: 1 as unknown as string } })).toThrow(/env\.A/);
    expect(() => createLocalSandbox({ startupTimeoutMs: -1 })).toThrow(/startupTimeoutMs/);
    const sandbox = createLocalSandbox();
    expect(sandbox.name).toBe('local');
    expect(sandbox.capabilities).toEqual({
      isolation: 'none',
      network: true,
      nativePackages: true,
      subprocess: true,
      interrupt: true,
      threads: true,
    });
  });

  it('close() destroys the sessions still alive', async () => {
    const provider = sandbox();
    const session = (await provider.createSession({ host: createFakeHost() })) as FrameSession;
    const pid = session.runtimeInfo?.pid as number;
    await provider.close();
    expect(await waitUntil(() => !isAlive(pid), 5_000)).toBe(true);
    await expect(session.execute('1')).rejects.toSatisfy((e: unknown) => SandboxSessionDeadError.isInstance(e));
  });
});
