/**
 * Issue 19, findings 1 and 2, on the Pyodide sandbox, with the attack code as model output
 * (MockModel + createRLM):
 *
 * - finding 1: the closure route to `_pyodide_core` (and its `__subclasses__` relative) is closed;
 *   what Python can still reach of the JavaScript bridge stops the interpreter when used;
 * - finding 1, defence in depth: arbitrary JavaScript inside the sandbox (a test-only hook, since no
 *   route is left) posts hostile messages on every port it reaches (Node's internal stdio port via
 *   `kPort` included), floods the channel, allocates gigabytes, spins forever, and tries the host's
 *   files, processes, environment and network with references captured before hardening. The host
 *   process survives with bounded memory, each attack ends its own session only, and the run ends
 *   with a typed status;
 * - finding 2: a host-call frame announcing 2**60 bytes is refused before anything is buffered and
 *   kills the session with a `ProtocolError` cause.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ProtocolError, SandboxSessionDeadError } from '@rlms/core';
import { createFakeHost } from '@rlms/core/testing';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
import { RUN_JS_PYTHON, createPyodideSandboxWithTestHook, sandboxProcessOf } from '@rlms/sandbox-pyodide/testing';
import { scriptedRun } from '../src/scripted-run.ts';
import { spySandbox } from '../src/session-spy.ts';

// Sessions boot CPython in fresh sandbox processes: seconds each on a busy machine (the file may be run
// from this folder, without the repository's root config).
vi.setConfig({ testTimeout: 300_000, hookTimeout: 300_000 });

const MIB = 1024 * 1024;
const MEMORY_LIMIT_MIB = 256;
/** What the host process may grow by while the sandbox is attacked: the sandbox lives in another process. */
const HOST_GROWTH_LIMIT = MEMORY_LIMIT_MIB * MIB;
const CANARY_NAME = 'RLMS_PYODIDE_SECURITY_CANARY';
const CANARY = `canary-${Math.random().toString(36).slice(2)}`;

let scratch: string;

beforeAll(() => {
  process.env[CANARY_NAME] = CANARY;
  scratch = mkdtempSync(join(tmpdir(), 'rlms-pyodide-security-'));
});

afterAll(() => {
  delete process.env[CANARY_NAME];
  rmSync(scratch, { recursive: true, force: true });
});

/** Samples this process's RSS while `work` runs; returns the work's value and the largest growth seen. */
async function hostGrowth<T>(work: () => Promise<T>): Promise<{ value: T; growth: number }> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    const value = await work();
    return { value, growth: Math.max(peak, process.memoryUsage.rss()) - base };
  } finally {
    clearInterval(timer);
  }
}

const repl = (code: string): string => `\`\`\`repl\n${code}\n\`\`\``;
const FINAL_SURVIVED = repl('FINAL("survived")');

describe('finding 1: Python cannot reach JavaScript', () => {
  const provider = createPyodideSandbox({ memoryLimitMiB: MEMORY_LIMIT_MIB, warmPoolSize: 0 });
  afterAll(() => provider.close());

  it('the exact closure attack (as model output) is blocked in Python: no JavaScript runs, the session lives on', async () => {
    const attack = repl(
      [
        'import _imp, importlib.machinery',
        'cb = _imp.create_builtin.__closure__[0].cell_contents',
        "core = cb(importlib.machinery.ModuleSpec('_pyodide_core', None, origin='built-in'))",
        "F = core.JsException('Error', 'x').constructor.constructor",
        "print('ESCAPED', F('return typeof process')())",
      ].join('\n'),
    );
    const outcome = await scriptedRun({ sandbox: provider, replies: [attack, FINAL_SURVIVED] });
    expect(outcome.result.status).toBe('completed');
    expect(outcome.result.answer).toBe('survived');
    expect(outcome.restarts).toBe(0);
    const execution = outcome.result.trajectory.steps[0]?.observation.executions[0]?.result;
    expect(execution?.error?.type).toBe('TypeError'); // the closure holds a dict of public modules now
    expect(execution?.stdout ?? '').not.toContain('ESCAPED');
  });

  it('a JsProxy class found through object.__subclasses__() stops the interpreter when used: restart, typed run', async () => {
    const attack = repl(
      [
        'def walk(t, seen):',
        '    for c in type.__subclasses__(t):',
        '        if c not in seen:',
        '            seen.add(c)',
        '            walk(c, seen)',
        'seen = set()',
        'walk(object, seen)',
        "JsException = next(c for c in seen if c.__name__ == 'JsException')",
        "F = JsException('Error', 'x').constructor.constructor",
        "print('ESCAPED', F('return 1')())",
      ].join('\n'),
    );
    const outcome = await scriptedRun({ sandbox: provider, replies: [attack, FINAL_SURVIVED], settings: { maxSandboxRestarts: 2 } });
    expect(outcome.result.status).toBe('completed');
    expect(outcome.restarts).toBe(1);
    expect(outcome.restartReasons[0]).toMatch(/JavaScript is not reachable from Python/);
    const observations = outcome.result.trajectory.steps.map((step) => JSON.stringify(step.observation));
    expect(observations.join('\n')).not.toContain('ESCAPED');
  });
});

describe('finding 2: host-call frames are bounded by maxFrameBytes', () => {
  const provider = createPyodideSandbox({ warmPoolSize: 0 });
  afterAll(() => provider.close());

  const ANNOUNCE_2_60 = [
    'import os',
    "fd = os.open('/dev/rlms_host', os.O_RDWR)",
    "os.write(fd, (2**60).to_bytes(8, 'little'))",
    "chunk = b'x' * (256 << 20)",
    'for _ in range(16):',
    '    os.write(fd, chunk)',
  ].join('\n');

  it('a frame announcing 2**60 bytes kills the session with a ProtocolError cause; the host buffers nothing', async () => {
    const session = await provider.createSession({ host: createFakeHost(), maxFrameBytes: 8 * MIB });
    try {
      const { value: error, growth } = await hostGrowth(() =>
        session.execute(ANNOUNCE_2_60, { timeoutMs: 60_000 }).then(
          () => undefined,
          (caught: unknown) => caught,
        ),
      );
      expect(SandboxSessionDeadError.isInstance(error), String(error)).toBe(true);
      expect(ProtocolError.isInstance((error as Error).cause)).toBe(true);
      expect((error as Error).message).toMatch(/maxFrameBytes/);
      expect(growth).toBeLessThan(HOST_GROWTH_LIMIT);
    } finally {
      await session.destroy();
    }
  });

  it('as model output: the session is restarted, the model is told why, the run completes', async () => {
    const { value: outcome, growth } = await hostGrowth(() =>
      scriptedRun({ sandbox: provider, replies: [repl(ANNOUNCE_2_60), FINAL_SURVIVED], settings: { maxSandboxRestarts: 2 } }),
    );
    expect(outcome.result.status).toBe('completed');
    expect(outcome.result.answer).toBe('survived');
    expect(outcome.restarts).toBe(1);
    expect(outcome.restartReasons[0]).toMatch(/over maxFrameBytes/);
    expect(growth).toBeLessThan(HOST_GROWTH_LIMIT);
  });
});

/**
 * The test hook: runs in the sandbox's hardened JavaScript realm. References to `fs` and
 * `child_process` are captured at load time, before hardening, so they are the real functions: only
 * the sandbox process's own limits (Node's permission model) stand between them and the host.
 */
const HOOK_SOURCE = `
import * as fs from 'node:fs';
import * as childProcess from 'node:child_process';
import { parentPort } from 'node:worker_threads';
const real = { writeFileSync: fs.writeFileSync, readFileSync: fs.readFileSync, spawnSync: childProcess.spawnSync, env: process.env };
const kept = [];
const attempt = (fn) => { try { const value = fn(); return value === undefined ? 'ran' : String(value).slice(0, 80); } catch (error) { return 'blocked: ' + (error.code ?? error.name); } };
export default function (argument) {
  const { action, marker } = JSON.parse(argument);
  switch (action) {
    case 'reach':
      return JSON.stringify({
        write: attempt(() => real.writeFileSync(marker, 'x')),
        read: attempt(() => real.readFileSync('/etc/hostname', 'utf8')),
        spawn: attempt(() => { const r = real.spawnSync('/bin/sh', ['-c', 'touch ' + marker + '.spawned']); if (r.error) throw r.error; return r.status; }),
        realEnv: Object.keys(real.env).length,
        env: attempt(() => Object.keys(process.env).length),
        binding: typeof process.binding,
        fetch: typeof globalThis.fetch,
        Function: attempt(() => Function('return 1')()),
      });
    case 'stdin-payload': {
      // Finding 1's crash: a forged stdin payload on the worker's internal stdio port.
      const stream = console._stdout;
      const kPort = Object.getOwnPropertySymbols(stream).find((symbol) => String(symbol).includes('kPort'));
      stream[kPort].postMessage({ type: 'stdioPayload', stream: 'stdin', chunks: [{ chunk: 'x', encoding: 'utf8' }] });
      // That port is not the one replies travel on: hold this cell until the crash is seen.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      return 'still alive';
    }
    case 'garbage':
      for (const message of [null, 7, 'text', [], {}, { type: 'response', id: 424242, ok: true, json: '{}' },
        { type: 'host-call', callId: -1, body: new Uint8Array(4) }, { type: 'ready', pythonVersion: 'x' },
        { type: '__proto__' }, { type: 'stdioPayload', stream: 'stdin', chunks: [] }]) parentPort.postMessage(message);
      return 'posted';
    case 'flood':
      // Headers over the host's cap (the run's maxFrameBytes, ~10 MiB here): refused from their
      // 8-byte length prefix, never buffered by the host.
      for (let index = 0; index < 4; index++) parentPort.postMessage({ type: 'response', id: 1, ok: true, json: 'x'.repeat(40 << 20) });
      return 'posted';
    case 'allocate':
      // Gigabytes asked for, touched and kept; refused allocations are retried until the host acts.
      for (;;) { try { const block = new Uint8Array(256 << 20); block.fill(1); kept.push(block); } catch {} }
    case 'spin':
      for (;;) {}
    default:
      return 'unknown action';
  }
}
`;

describe('arbitrary JavaScript inside the sandbox (test hook): the host survives, bounded', () => {
  const provider = createPyodideSandboxWithTestHook({
    memoryLimitMiB: MEMORY_LIMIT_MIB,
    warmPoolSize: 0,
    interruptGraceMs: 500,
    hookSource: HOOK_SOURCE,
  });
  afterAll(() => provider.close());
  const call = (action: string, marker = ''): string =>
    repl(`${RUN_JS_PYTHON}\nprint(run_js(${JSON.stringify(JSON.stringify({ action, marker }))}))`);

  it('files, processes, environment and network stay out of reach, even through references captured before hardening', async () => {
    const marker = join(scratch, 'written-by-javascript');
    const outcome = await scriptedRun({ sandbox: provider, replies: [call('reach', marker), FINAL_SURVIVED] });
    expect(outcome.result.status).toBe('completed');
    const stdout = outcome.result.trajectory.steps[0]?.observation.executions[0]?.result.stdout ?? '';
    const reached = JSON.parse(stdout.trim()) as Record<string, unknown>;
    expect(reached).toEqual({
      write: 'blocked: ERR_ACCESS_DENIED',
      read: 'blocked: ERR_ACCESS_DENIED',
      spawn: 'blocked: ERR_ACCESS_DENIED',
      realEnv: 0,
      env: '0',
      binding: 'undefined',
      fetch: 'undefined',
      Function: 'blocked: EvalError',
    });
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(`${marker}.spawned`)).toBe(false);
    expect(stdout).not.toContain(CANARY);
  });

  it('hostile messages, floods, gigabytes of ArrayBuffers and an endless loop each end only their own session', async () => {
    const spy = spySandbox(provider);
    const bystander = createPyodideSandbox({ memoryLimitMiB: MEMORY_LIMIT_MIB, warmPoolSize: 0 });
    const { value: [outcome, other], growth } = await hostGrowth(() =>
      Promise.all([
        scriptedRun({
          sandbox: spy,
          replies: [call('stdin-payload'), call('garbage'), call('flood'), call('allocate'), call('spin'), FINAL_SURVIVED],
          settings: { maxSandboxRestarts: 6, maxIterations: 8, executionTimeoutMs: 5_000 },
        }),
        // Another run beside it, on another provider: it must not notice anything.
        scriptedRun({
          sandbox: bystander,
          replies: [...Array.from({ length: 4 }, (_, index) => repl(`import time\ntime.sleep(0.5)\nstep = ${index}`)), repl('FINAL(step)')],
          settings: { maxIterations: 8 },
        }),
      ]).finally(() => bystander.close()),
    );
    // The host process is alive (this test runs) and its memory did not follow the sandbox's.
    expect(growth).toBeLessThan(HOST_GROWTH_LIMIT);
    expect(outcome.result.status).toBe('completed');
    expect(outcome.result.answer).toBe('survived');
    expect(outcome.restarts).toBe(5);
    const [stdin, garbage, flood, allocate, spin] = outcome.restartReasons;
    expect(stdin).toMatch(/sandbox process exited/); // Node's stdio handler threw in the sandbox process, not here
    expect(garbage).toMatch(/broke its protocol|was stopped/);
    expect(flood).toMatch(/over the \d+-byte limit/);
    expect(allocate).toMatch(/over its limit of \d+ MiB|did not stop/); // the watchdog, or RLIMIT_DATA then the timeout
    expect(spin).toMatch(/did not stop/);
    expect(other.result.status).toBe('completed');
    expect(other.result.answer).toBe('3');
    expect(other.restarts).toBe(0);
    // Each sandbox process stayed within its hard cap (RLIMIT_DATA: memory limit + fixed overheads).
    expect(spy.sessions).toHaveLength(6);
    for (const session of spy.sessions.slice(0, 5)) {
      const sandbox = sandboxProcessOf(session);
      expect(sandbox.dead).toBe(true);
      expect(sandbox.peakResidentBytes).toBeLessThan(PROCESS_HARD_CAP_MIB * MIB);
    }
    expect(spy.live).toBe(0);
  });
});

/** `RLIMIT_DATA` of a sandbox process at MEMORY_LIMIT_MIB (see PyodideSandboxSettings): 256 + 256 + 64 + 320 + 1536. */
const PROCESS_HARD_CAP_MIB = 2432;
