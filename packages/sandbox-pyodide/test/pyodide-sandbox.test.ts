/**
 * What is special to the Pyodide sandbox beyond the conformance suite: the SharedArrayBuffer
 * bridge (large results, interrupts during host calls), the memory cap, worker death, context
 * byte handling, warm start, and the settings that change how workers boot.
 */
import {
  ConfigurationError,
  ContextError,
  RLMAbortError,
  SandboxError,
  SandboxSessionDeadError,
  type HostCall,
  type SandboxSessionV1,
} from '@rlms/core';
import { createFakeHost } from '@rlms/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPyodideSandbox, type PyodideSandboxProvider } from '../src/index.js';

const isDead = (reason: string) => (error: unknown) =>
  SandboxSessionDeadError.isInstance(error) && error.reason === reason;

describe('pyodide sandbox (default settings)', () => {
  let provider: PyodideSandboxProvider;
  let session: SandboxSessionV1;
  const bigAnswer = 'x'.repeat(8 * 1024 * 1024) + 'END';
  const host = createFakeHost({
    respond: (call: HostCall) => (call.op === 'llm_query' && call.prompt === 'big' ? bigAnswer : undefined),
  });

  beforeAll(async () => {
    provider = createPyodideSandbox();
    session = await provider.createSession({ host, tools: [{ name: 'lookup' }] });
  });
  afterAll(async () => {
    await session?.destroy();
    await provider?.close();
  });

  it('declares the wasm capabilities and a context size derived from the memory cap', () => {
    expect(provider.name).toBe('pyodide');
    expect(provider.capabilities).toEqual({
      isolation: 'wasm',
      network: false,
      nativePackages: false,
      subprocess: false,
      interrupt: true,
      threads: false,
      maxContextBytes: 512 * 1024 * 1024,
    });
  });

  it('passes host results of any size through the bridge', async () => {
    const result = await session.execute("answer = llm_query('big')\nprint(len(answer), answer[-3:])");
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe(`${bigAnswer.length} END\n`);
  });

  it('sends large requests and maps host errors to Python exceptions', async () => {
    const prompt = await session.execute("r = llm_query('p' * 3_000_000)\nprint(len(r))");
    expect(prompt.stdout).toBe(`${3_000_000 + 'llm:'.length}\n`);
    host.failWhen(
      (call) => call.op === 'tool',
      Object.assign(new Error('no such key'), { pythonType: 'KeyError' }),
    );
    const failed = await session.execute("try:\n    lookup(key='k')\nexcept KeyError as e:\n    print('caught', e)");
    expect(failed.stdout).toBe("caught 'no such key'\n");
  });

  it('interrupts Python blocked in a host call at the timeout and aborts that call', async () => {
    const slow = createFakeHost({ delayMs: 60_000 });
    const local = await provider.createSession({ host: slow });
    try {
      // Long enough for Python to be inside llm_query when the timeout fires, even on a busy machine.
      const result = await local.execute("llm_query('never answered')", { timeoutMs: 1500 });
      expect(result.timedOut).toBe(true);
      expect(result.error?.type).toBe('KeyboardInterrupt');
      expect(slow.abortedCalls).toBe(1);
      const after = await local.execute("print('usable')");
      expect(after.stdout).toBe('usable\n');
    } finally {
      await local.destroy();
    }
  });

  it('makes time.sleep and asyncio interruptible', async () => {
    const sleep = await session.execute('import time\ntime.sleep(120)', { timeoutMs: 300 });
    expect(sleep.error?.type).toBe('KeyboardInterrupt');
    const gathered = await session.execute(
      'import asyncio\nasync def f(i):\n    await asyncio.sleep(0.01)\n    return i\n' +
        'async def main():\n    return await asyncio.gather(*(f(i) for i in range(3)))\nprint(asyncio.run(main()))',
    );
    expect(gathered.stdout).toBe('[0, 1, 2]\n');
    const stuck = await session.execute('import asyncio\nasyncio.run(asyncio.sleep(120))', { timeoutMs: 300 });
    expect(stuck.error?.type).toBe('KeyboardInterrupt');
  });

  it('captures output written to fd 1 and 2 directly', async () => {
    const result = await session.execute("import os\nos.write(1, b'raw-out\\n')\nos.write(2, b'raw-err\\n')\nprint('printed')");
    expect(result.stdout).toContain('printed\n');
    expect(result.stdout).toContain('raw-out\n');
    expect(result.stderr).toBe('raw-err\n');
  });

  it('copies context bytes by default: the caller keeps its buffer', async () => {
    const bytes = new TextEncoder().encode('{"a": [1, 2, 3]}');
    const info = await session.loadContext({ format: 'json', bytes }, { variableName: 'doc' });
    expect(info).toEqual({ type: 'dict', length: 1, bytes: bytes.length });
    expect(bytes.byteLength).toBe(16);
    expect((await session.execute("print(doc['a'][2])")).stdout).toBe('3\n');
  });

  it('rejects invalid arguments with typed errors', async () => {
    await expect(session.loadContext({ format: 'text', bytes: 'text' as never })).rejects.toSatisfy(ContextError.isInstance);
    await expect(
      session.loadContext({ format: 'text', bytes: new Uint8Array(1) }, { variableName: 'not valid' }),
    ).rejects.toSatisfy(ConfigurationError.isInstance);
    await expect(session.execute('1', { timeoutMs: -5 })).rejects.toSatisfy(ConfigurationError.isInstance);
    await expect(provider.createSession({} as never)).rejects.toSatisfy(ConfigurationError.isInstance);
    await expect(provider.createSession({ host, maxFrameBytes: 1000 })).rejects.toSatisfy(ConfigurationError.isInstance);
    await expect(provider.createSession({ host, tools: [{ name: '1bad' }] })).rejects.toSatisfy(
      ConfigurationError.isInstance,
    );
    await expect(provider.createSession({ host, abortSignal: AbortSignal.abort() })).rejects.toSatisfy(
      RLMAbortError.isInstance,
    );
  });

  it('starts a second session from the snapshot or the warm pool', async () => {
    const second = await provider.createSession({ host: createFakeHost() });
    try {
      const probe = await second.execute(
        'import sys, os, uuid\nprint(sys.version_info[:2] >= (3, 12), len(os.urandom(4)), len(str(uuid.uuid4())))',
      );
      expect(probe.stdout).toBe('True 4 36\n');
    } finally {
      await second.destroy();
    }
  });
});

describe('pyodide sandbox (memory cap, short grace, transferred context)', () => {
  let provider: PyodideSandboxProvider;

  beforeAll(() => {
    provider = createPyodideSandbox({
      memoryLimitMiB: 96,
      interruptGraceMs: 300,
      transferContextBytes: true,
      warmPoolSize: 0,
    });
  });
  afterAll(async () => {
    await provider?.close();
  });

  it('turns allocations beyond memoryLimitMiB into MemoryError; the session lives on', async () => {
    const session = await provider.createSession({ host: createFakeHost() });
    try {
      const big = await session.execute('block = bytearray(200 * 1024 * 1024)');
      expect(big.error?.type).toBe('MemoryError');
      const growing = await session.execute('items = []\nwhile True:\n    items.append("a" * 65536)');
      expect(growing.error?.type).toBe('MemoryError');
      expect((await session.execute("del items\nprint('alive')")).stdout).toBe('alive\n');
    } finally {
      await session.destroy();
    }
  });

  it('rejects a context larger than the cap with ContextError, then loads a small one', async () => {
    const session = await provider.createSession({ host: createFakeHost() });
    try {
      const huge = new Uint8Array(80 * 1024 * 1024).fill(97);
      await expect(session.loadContext({ format: 'text', bytes: huge })).rejects.toSatisfy(
        (error: unknown) => ContextError.isInstance(error) && error.code === 'context-too-large',
      );
      const small = new TextEncoder().encode('hello');
      expect(await session.loadContext({ format: 'text', bytes: small })).toEqual({ type: 'str', length: 5, bytes: 5 });
      expect(small.byteLength).toBe(0); // transferContextBytes moved the buffer to the worker
    } finally {
      await session.destroy();
    }
  });

  // Catches every KeyboardInterrupt that lands inside the loop. The interrupt must not arrive
  // before Python enters it, so the timeout leaves ample time and the abort waits for a host call.
  const stubborn =
    'while True:\n    try:\n        while True:\n            llm_query("tick")\n    except KeyboardInterrupt:\n        pass';

  it('terminates a session whose code ignores the interrupt: SandboxSessionDeadError(timeout)', async () => {
    const session = await provider.createSession({ host: createFakeHost() });
    await expect(session.execute(stubborn, { timeoutMs: 1500 })).rejects.toSatisfy(isDead('timeout'));
    await expect(session.execute('1')).rejects.toSatisfy(isDead('timeout'));
    await session.destroy();
  });

  it('reports an interpreter that exited as dead (crashed) and rejects later calls', async () => {
    const session = await provider.createSession({ host: createFakeHost() });
    await expect(session.execute('import os\nos._exit(3)')).rejects.toSatisfy(isDead('crashed'));
    await expect(session.loadContext({ format: 'text', bytes: new Uint8Array(1) })).rejects.toSatisfy(isDead('crashed'));
    await session.destroy();
    await session.destroy();
  });

  it('an abort that Python ignores still ends the call with an AbortError', async () => {
    const controller = new AbortController();
    // Aborts once Python is inside the loop (its first host call).
    const host = createFakeHost({ respond: () => void controller.abort() });
    const session = await provider.createSession({ host });
    const running = session.execute(stubborn, { abortSignal: controller.signal });
    await expect(running).rejects.toSatisfy(RLMAbortError.isInstance);
    await expect(session.execute('1')).rejects.toSatisfy(isDead('aborted'));
    await session.destroy();
  });
});

describe('pyodide sandbox (custom runtime, no snapshot)', () => {
  it('reports a runtime that fails to start as SandboxError(boot-failed) with the Python error', async () => {
    const provider = createPyodideSandbox({ runtimeSource: 'raise ValueError("broken runtime")', warmPoolSize: 0 });
    try {
      await expect(provider.createSession({ host: createFakeHost() })).rejects.toSatisfy(
        (error: unknown) =>
          SandboxError.isInstance(error) &&
          (error as SandboxError).code === 'boot-failed' &&
          (error as Error).message.includes('broken runtime'),
      );
    } finally {
      await provider.close();
    }
  });

  it('boots from scratch with a replacement runtime source', async () => {
    const runtimeSource = [
      'class Runtime:',
      '    def __init__(self, host_call, capture_fds=False):',
      '        self.host_call = host_call',
      '    def configure(self, options):',
      '        return None',
      '    def execute(self, code):',
      '        answer = self.host_call("llm_query", {"prompt": code})',
      '        return {"stdout": "custom:" + answer, "stderr": "", "error": None, "final": None,',
      '                "truncatedChars": 0, "durationMs": 0}',
    ].join('\n');
    const provider = createPyodideSandbox({ runtimeSource, memorySnapshot: false, warmPoolSize: 0 });
    const session = await provider.createSession({ host: createFakeHost() });
    try {
      expect((await session.execute('hi')).stdout).toBe('custom:llm:hi');
    } finally {
      await session.destroy();
      await provider.close();
    }
  });
});
