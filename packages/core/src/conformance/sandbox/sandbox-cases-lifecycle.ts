import { expect } from 'vitest';
import { SandboxSessionDeadError, isAbortError } from '../../errors/index.js';
import { createFakeHost } from '../../testing/sandbox/create-fake-host.js';
import type { SuiteHarness } from './sandbox-suite-harness.js';

const CANARY_VARIABLE = 'RLMS_CONFORMANCE_CANARY';

function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (condition()) resolve();
      else if (Date.now() > deadline) reject(new Error(`condition not reached within ${timeoutMs} ms`));
      else setTimeout(check, 10);
    };
    check();
  });
}

/** Timeouts, output floods, environment, destroy, isolation, abort, OS-level output. */
export function defineLifecycleCases(h: SuiteHarness): void {
  h.defineCase(
    'timeout',
    'a runaway loop is stopped by timeoutMs with a usable result; the session stays usable',
    async () => {
      const { session } = await h.fresh();
      await h.runOk(session, 'rlms_before_timeout = 41');
      const spin = await session.execute('while True:\n    pass', { timeoutMs: 500 });
      expect(spin.timedOut).toBe(true);
      expect(spin.error?.type).toBe('KeyboardInterrupt');
      const sleep = await session.execute("print('sleeping')\nimport time\ntime.sleep(60)", { timeoutMs: 500 });
      expect(sleep.timedOut).toBe(true);
      expect(sleep.stdout).toBe('sleeping\n');
      const after = await h.runOk(session, 'print(rlms_before_timeout + 1)', { timeoutMs: 10_000 });
      expect(after.stdout).toBe('42\n');
      expect(after.timedOut).toBeUndefined();
    },
    (capabilities) => (capabilities.interrupt ? undefined : 'capabilities.interrupt is false'),
  );

  h.defineCase('output-flood', 'printing 10 million lines is truncated head + tail with a note', async () => {
    const { session } = await h.fresh({ maxOutputChars: 1_000 });
    const result = await h.runOk(
      session,
      "for rlms_i in range(1000):\n    print(('line\\n' * 9999) + f'block {rlms_i}')\n" +
        "import sys\nrlms_written = sys.stderr.write('e' * 3_000_000 + 'END')",
    );
    expect(result.stdout.length).toBeLessThan(1_200);
    expect(result.stdout.startsWith('line\nline\n')).toBe(true);
    expect(result.stdout.endsWith('block 999\n')).toBe(true);
    expect(result.stdout).toMatch(/\.\.\. \[\d+ characters truncated\] \.\.\./);
    expect(result.stderr.length).toBeLessThan(1_200);
    expect(result.stderr.endsWith('eeeEND')).toBe(true);
    expect(result.truncatedChars ?? 0).toBeGreaterThan(50_000_000);
    const next = await h.runOk(session, "print('quiet')");
    expect(next.stdout).toBe('quiet\n');
    expect(next.truncatedChars ?? 0).toBe(0);
  });

  h.defineCase('env-isolation', "the host's environment variables are not visible to Python", async () => {
    const canary = `canary-${Math.random().toString(36).slice(2)}`;
    const previous = process.env[CANARY_VARIABLE];
    process.env[CANARY_VARIABLE] = canary;
    try {
      const { session } = await h.fresh();
      const result = await h.runOk(
        session,
        `import os\nprint(os.environ.get(${JSON.stringify(CANARY_VARIABLE)}))\n` +
          `print(any(${JSON.stringify(canary)} in value for value in os.environ.values()))`,
      );
      expect(result.stdout).toBe('None\nFalse\n');
    } finally {
      if (previous === undefined) delete process.env[CANARY_VARIABLE];
      else process.env[CANARY_VARIABLE] = previous;
    }
  });

  h.defineCase('destroy', 'destroy() is idempotent; later calls reject with SandboxSessionDeadError', async () => {
    const { session } = await h.fresh();
    await h.runOk(session, 'rlms_x = 1');
    await Promise.all([session.destroy(), session.destroy()]);
    await expect(session.destroy()).resolves.toBeUndefined();
    const isDead = (error: unknown): boolean => SandboxSessionDeadError.isInstance(error);
    await expect(session.execute('1')).rejects.toSatisfy(isDead);
    await expect(session.loadContext({ format: 'text', bytes: new Uint8Array([104, 105]) })).rejects.toSatisfy(isDead);
  });

  h.defineCase('destroy-aborts-host-calls', 'destroy() aborts host calls in flight and rejects the pending execute', async () => {
    const host = createFakeHost({ delayMs: 60_000 });
    const { session } = await h.fresh({ host });
    const pending = session.execute("llm_query('slow')");
    const outcome = pending.then(
      () => 'resolved',
      (error: unknown) => (SandboxSessionDeadError.isInstance(error) ? 'dead' : String(error)),
    );
    await waitFor(() => host.inFlight === 1, 10_000);
    await session.destroy();
    expect(await outcome).toBe('dead');
    await waitFor(() => host.inFlight === 0, 5_000);
    expect(host.abortedCalls).toBe(1);
  });

  h.defineCase('session-isolation', 'two sessions do not share variables', async () => {
    const [first, second] = await Promise.all([h.fresh(), h.fresh()]);
    await h.runOk(first.session, "rlms_isolated = 'one'");
    const probe = await h.runOk(second.session, "print('rlms_isolated' in globals())");
    expect(probe.stdout).toBe('False\n');
    const missing = await second.session.execute('rlms_isolated');
    expect(missing.error?.type).toBe('NameError');
    expect((await h.runOk(first.session, 'rlms_isolated')).stdout).toBe("'one'\n");
  });

  h.defineCase('abort', 'an abort signal rejects a long execute promptly', async () => {
    const { session } = await h.fresh();
    const controller = new AbortController();
    const running = session.execute('while True:\n    pass', { abortSignal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    await expect(running).rejects.toSatisfy(isAbortError);
    await expect(session.execute('1', { abortSignal: AbortSignal.abort() })).rejects.toSatisfy(isAbortError);
  });

  h.defineCase(
    'abort-at-once',
    'an abort right behind its execute (before the cell starts) still stops the cell; the session lives on',
    async () => {
      const { session } = await h.fresh();
      await h.runOk(session, 'rlms_kept = 41');
      // The interrupt can reach the sandbox before the cell begins; it must not be dropped as idle.
      for (let round = 0; round < 3; round++) {
        const controller = new AbortController();
        const running = session.execute('while True:\n    pass', { abortSignal: controller.signal });
        queueMicrotask(() => controller.abort());
        await expect(running).rejects.toSatisfy(isAbortError);
      }
      const after = await h.runOk(session, 'print(rlms_kept + 1)');
      expect(after.stdout).toBe('42\n');
    },
    (capabilities) => (capabilities.interrupt ? undefined : 'capabilities.interrupt is false'),
  );

  h.defineCase(
    'fd-output',
    'OS-level output of os.system, subprocesses and os.write is captured without breaking the protocol',
    async () => {
      const { session } = await h.shared();
      const result = await h.runOk(
        session,
        'import os, subprocess\n' +
          "os.system('echo fd-echo')\n" +
          "subprocess.run(['sh', '-c', 'echo sub-err >&2'])\n" +
          "os.write(1, b'raw-fd\\n')\n" +
          "os.write(2, 'raw-ünïcode 😀\\n'.encode())",
      );
      expect(result.stdout).toContain('fd-echo\n');
      expect(result.stdout).toContain('raw-fd\n');
      expect(result.stderr).toContain('sub-err\n');
      expect(result.stderr).toContain('raw-ünïcode 😀\n');
      const next = await h.runOk(session, "print('clean')");
      expect(next.stdout).toBe('clean\n');
      expect(next.stderr).toBe('');
    },
    (capabilities) => (capabilities.subprocess ? undefined : 'capabilities.subprocess is false'),
  );
}
