/**
 * Sandbox faults through the engine, with every in-process sandbox: the interpreter killed from
 * the host mid-execution, dying again and again, memory exhaustion, infinite output, code that
 * ignores interrupts, threads deadlocked in `llm_query`, hanging sub-calls, host tools that
 * throw, a bounded fork bomb (local). The run must end with a typed error or recover (sessions
 * restarted up to `maxSandboxRestarts`), and nothing may be left running.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SandboxSessionDeadError, type SandboxProviderV1, type SandboxSessionV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
import { NO_LEAKS, checkLeaks, leaksOnly, takeBaseline, type Baseline } from '../src/baseline.ts';
import { isAlive, killLocal, killPyodideWorker, localPid } from '../src/kill-interpreter.ts';
import { createProcessMark, findMarkedProcesses, killAll } from '../src/leak-check.ts';
import { usePrivateTmpdir } from '../src/private-tmpdir.ts';
import { scriptedRun } from '../src/scripted-run.ts';
import { spySandbox } from '../src/session-spy.ts';

const mark = createProcessMark();
const GRACE_MS = 500;

interface Kind {
  readonly name: 'local' | 'pyodide';
  readonly create: () => SandboxProviderV1;
  /** Kills the interpreter from the host. */
  readonly kill: (session: SandboxSessionV1) => unknown;
  readonly threads: boolean;
  /** Code that exhausts the memory it may use and gets a MemoryError (bounded: never the machine's). */
  readonly exhaustMemory: string;
}

const KINDS: readonly Kind[] = [
  {
    name: 'local',
    create: () => createLocalSandbox({ env: mark.env, interruptGraceMs: GRACE_MS }),
    kill: killLocal,
    threads: true,
    // The local sandbox has no memory cap of its own: cap the address space first (1 GiB), then ask for 2 GiB.
    exhaustMemory: 'import resource\nresource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))\nblob = bytearray(2 << 30)',
  },
  {
    name: 'pyodide',
    create: () => createPyodideSandbox({ interruptGraceMs: GRACE_MS, memoryLimitMiB: 256 }),
    kill: killPyodideWorker,
    threads: false,
    exhaustMemory: 'chunks = []\nwhile True:\n    chunks.append(bytearray(16 << 20))',
  },
];

let tmp: ReturnType<typeof usePrivateTmpdir>;
let baseline: Baseline;
let faultsInjected = 0;

beforeAll(async () => {
  tmp = usePrivateTmpdir();
  baseline = await takeBaseline();
});

afterAll(async () => {
  for (const provider of providers.values()) await provider.close?.();
  const report = await checkLeaks({ baseline, mark, tmp });
  tmp.dispose();
  console.info(`[reliability] sandbox faults: ${faultsInjected} faults injected`);
  expect(leaksOnly(report)).toEqual(NO_LEAKS);
});

const providers = new Map<string, SandboxProviderV1>();
function providerOf(kind: Kind): SandboxProviderV1 {
  let provider = providers.get(kind.name);
  if (provider === undefined) providers.set(kind.name, (provider = kind.create()));
  return provider;
}

/**
 * Sets a variable, tells the host it runs (the `started` tool), then sleeps for an hour: the host kills or aborts it
 * meanwhile. The sleep outlasts the test timeout, so a fault the host fails to notice fails the test by timing out,
 * without any assertion on durations.
 */
const SLEEP_CELL = '```repl\nimport time\nstate = "kept?"\nstarted()\ntime.sleep(3600)\n```';
const HOUR_MS = 3_600_000;

/** A `started` tool that calls `action` (with the session just used) 200 ms after model code reports it runs. */
function startedTool(action: () => unknown) {
  return {
    started: {
      execute: () => {
        setTimeout(() => void Promise.resolve().then(action).catch((error: unknown) => console.error('[reliability] fault action failed:', error)), 200);
        return null;
      },
    },
  };
}
const STATE_CHECK = '```repl\nFINAL("state" in globals())\n```';

for (const kind of KINDS) {
  describe(`${kind.name} sandbox faults`, () => {
    it('the interpreter killed from the host mid-execution: the session is restarted (state lost), the run completes', async () => {
      const spy = spySandbox(providerOf(kind));
      const outcome = await scriptedRun({
        sandbox: spy,
        replies: [SLEEP_CELL, STATE_CHECK],
        settings: { executionTimeoutMs: HOUR_MS, tools: startedTool(() => kind.kill(spy.sessions.at(-1)!)) },
      });
      faultsInjected++;
      expect(outcome.result.status).toBe('completed');
      expect(outcome.result.answer).toBe('False');
      expect(outcome.restarts).toBe(1);
      expect(outcome.result.trajectory.steps[0]?.observation.feedback).toContain('restarted');
      // Noticed as a death, not as the (hour-long) execution timeout.
      expect(outcome.result.trajectory.steps[0]?.observation.executions[0]?.result.timedOut).not.toBe(true);
      expect(spy.sessions.length).toBe(2);
      expect(spy.live).toBe(0);
    });

    it('an interpreter that dies every time: at most maxSandboxRestarts restarts, then status error with SandboxSessionDeadError', async () => {
      const spy = spySandbox(providerOf(kind));
      const outcome = await scriptedRun({
        sandbox: spy,
        replies: [SLEEP_CELL],
        settings: {
          executionTimeoutMs: 60_000,
          maxSandboxRestarts: 2,
          maxIterations: 10,
          tools: startedTool(() => {
            faultsInjected++;
            return kind.kill(spy.sessions.at(-1)!);
          }),
        },
      });
      expect(outcome.result.status).toBe('error');
      expect(SandboxSessionDeadError.isInstance(outcome.result.error), String(outcome.result.error)).toBe(true);
      expect(outcome.restarts).toBe(2);
      expect(spy.sessions.length).toBe(3);
      expect(spy.live).toBe(0);
    });

    it('memory exhaustion inside the cap is a MemoryError; the session and its variables live on', async () => {
      const outcome = await scriptedRun({
        sandbox: providerOf(kind),
        replies: [`\`\`\`repl\nkeep = "alive"\n${kind.exhaustMemory}\n\`\`\``, '```repl\nFINAL(keep)\n```'],
        // Filling the cap is slow on a busy machine: the execution limit must not interrupt it first.
        settings: { executionTimeoutMs: HOUR_MS },
      });
      faultsInjected++;
      expect(outcome.result.status).toBe('completed');
      expect(outcome.result.answer).toBe('alive');
      expect(outcome.restarts).toBe(0);
      expect(outcome.result.trajectory.steps[0]?.observation.feedback).toContain('MemoryError');
    });

    it('infinite output: interrupted at the execution limit, feedback bounded, the session lives', async () => {
      const outcome = await scriptedRun({
        sandbox: providerOf(kind),
        replies: ['```repl\nkeep = 7\nwhile True:\n    print("x" * 10_000)\n```', '```repl\nFINAL(keep)\n```'],
        settings: { executionTimeoutMs: 1_500, maxOutputChars: 5_000 },
      });
      faultsInjected++;
      expect(outcome.result.status).toBe('completed');
      expect(outcome.result.answer).toBe('7');
      const execution = outcome.result.trajectory.steps[0]?.observation.executions[0]?.result;
      expect(execution?.timedOut).toBe(true);
      expect(outcome.result.trajectory.steps[0]!.observation.feedback.length).toBeLessThan(20_000);
    });

    it('code that swallows the interrupt: the session is killed after the grace period and restarted', async () => {
      const outcome = await scriptedRun({
        sandbox: providerOf(kind),
        replies: [
          '```repl\nimport time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass\n```',
          '```repl\nFINAL("after")\n```',
        ],
        settings: { executionTimeoutMs: 1_000 },
      });
      faultsInjected++;
      expect(outcome.result.status).toBe('completed');
      expect(outcome.result.answer).toBe('after');
      expect(outcome.restarts).toBe(1);
      expect(outcome.result.trajectory.steps[0]?.observation.feedback).toContain('ignored the interrupt');
    });

    it('sub-calls that never return: the interrupt aborts every host call in flight, none is left running', async () => {
      const sub = new MockModel({ modelId: 'hanging-sub', replies: () => ({ text: 'never', delayMs: 600_000 }) });
      const code = kind.threads
        ? '```repl\nimport threading\nout = []\nthreads = [threading.Thread(target=lambda i=i: out.append(llm_query(f"q{i}"))) for i in range(4)]\nfor t in threads: t.start()\nfor t in threads: t.join()\n```'
        : '```repl\nout = llm_query("q0")\n```';
      const outcome = await scriptedRun({
        sandbox: providerOf(kind),
        replies: [code, '```repl\nFINAL("after")\n```'],
        settings: { subModel: sub, executionTimeoutMs: 1_500 },
      });
      faultsInjected++;
      expect(outcome.result.status).toBe('completed');
      expect(outcome.result.answer).toBe('after');
      expect(sub.calls.length).toBe(kind.threads ? 4 : 1);
      expect(sub.inFlight).toBe(0);
      const ends = outcome.events.filter((event) => event.type === 'subcall-end');
      expect(ends.length).toBe(sub.calls.length);
    });

    it('host tools that throw, return values that cannot be carried, or never resolve: Python exceptions, the run completes', async () => {
      let neverAborted = false;
      const tools = {
        throws: { execute: () => { throw new Error('tool exploded'); } },
        throws_string: { execute: () => { throw 'a plain string'; } },
        circular: { execute: () => { const value: Record<string, unknown> = {}; value.self = value; return value; } },
        bigint: { execute: () => 10n },
        never: {
          execute: (_args: unknown, { abortSignal }: { abortSignal: AbortSignal }) =>
            new Promise((_resolve, reject) =>
              abortSignal.addEventListener('abort', () => {
                neverAborted = true;
                reject(new Error('aborted'));
              }),
            ),
        },
      };
      const probe = [
        '```repl',
        'seen = {}',
        'for name in ["throws", "throws_string", "circular", "bigint"]:',
        '    try:',
        '        globals()[name]()',
        '        seen[name] = "returned"',
        '    except Exception as error:',
        '        seen[name] = type(error).__name__',
        'print(seen)',
        '```',
      ].join('\n');
      const outcome = await scriptedRun({
        sandbox: providerOf(kind),
        replies: [probe, '```repl\nnever()\n```', '```repl\nFINAL(seen)\n```'],
        settings: { tools, executionTimeoutMs: 1_500 },
      });
      faultsInjected += 5;
      expect(outcome.result.status).toBe('completed');
      // A BigInt arrives as a Python int (issue 20, point 14); a cycle cannot be carried: a TypeError naming the path.
      expect(outcome.result.answerValue).toEqual({ throws: 'RuntimeError', throws_string: 'RuntimeError', circular: 'TypeError', bigint: 'returned' });
      expect(outcome.result.trajectory.steps[1]?.observation.executions[0]?.result.timedOut).toBe(true);
      expect(neverAborted).toBe(true);
    });

    it('an abort while code runs: status aborted at once, the session is destroyed', async () => {
      const spy = spySandbox(providerOf(kind));
      const controller = new AbortController();
      const outcome = await scriptedRun({
        sandbox: spy,
        replies: [SLEEP_CELL],
        settings: { executionTimeoutMs: HOUR_MS, tools: startedTool(() => controller.abort()) },
        abortSignal: controller.signal,
      });
      faultsInjected++;
      // The cell sleeps for an hour: reaching this line at all shows the abort interrupted it.
      expect(outcome.result.status).toBe('aborted');
      expect(spy.live).toBe(0);
      if (kind.name === 'local') expect(isAlive(localPid(spy.sessions[0]!))).toBe(false);
    });
  });
}

describe('local sandbox: process faults', () => {
  it('the pid reported by model code (os.getpid) is killed by a host tool: restarted, the run completes', async () => {
    const spy = spySandbox(providerOf(KINDS[0]!));
    let killed: number | undefined;
    const tools = {
      kill_me: {
        parameters: { type: 'object', properties: { pid: { type: 'integer' } }, required: ['pid'] },
        execute: ({ pid }: { pid: number }) => {
          killed = pid;
          process.kill(pid, 'SIGKILL');
          return 'killed';
        },
      },
    };
    const outcome = await scriptedRun({
      sandbox: spy,
      replies: ['```repl\nimport os\nstate = 1\nkill_me(pid=os.getpid())\nprint("still here?")\n```', STATE_CHECK],
      settings: { tools },
    });
    faultsInjected++;
    expect(outcome.result.status).toBe('completed');
    expect(outcome.result.answer).toBe('False');
    expect(outcome.restarts).toBe(1);
    expect(killed).toBe(localPid(spy.sessions[0]!));
    expect(isAlive(killed!)).toBe(false);
  });

  it('a bounded fork bomb (a child forking 2^5 sleepers) is killed with the session', async () => {
    const spy = spySandbox(providerOf(KINDS[0]!));
    let during = 0;
    const bomb = [
      '```repl',
      'import subprocess, sys, time',
      'child = subprocess.Popen([sys.executable, "-c", "import os, time\\nfor _ in range(5):\\n    os.fork()\\ntime.sleep(300)"])',
      'def sleepers():',
      '    count = 0',
      '    for pid in filter(str.isdigit, __import__("os").listdir("/proc")):',
      '        try:',
      '            count += b"time.sleep(300)" in open(f"/proc/{pid}/cmdline", "rb").read()',
      '        except OSError:',
      '            pass',
      '    return count',
      'deadline = time.time() + 20',
      'while sleepers() < 32 and time.time() < deadline:',
      '    time.sleep(0.05)',
      'print(sleepers(), "forked")',
      '```',
    ].join('\n');
    const outcome = await scriptedRun({
      sandbox: spy,
      replies: [bomb, '```repl\nFINAL("done")\n```'],
      settings: { executionTimeoutMs: 30_000 },
      onEvent: (event) => {
        if (event.type === 'code-execution-end' && event.iteration === 1) during = findMarkedProcesses(mark).length;
      },
    });
    faultsInjected++;
    expect(outcome.result.status).toBe('completed');
    // The runtime + 32 forked sleepers existed while the run went on.
    expect(during).toBeGreaterThanOrEqual(33);
    expect(spy.live).toBe(0);
    const left = await waitForNone(() => findMarkedProcesses(mark).filter((info) => info.command.includes('time.sleep(300)')), 10_000);
    expect(left).toEqual([]);
  });

  it('threads deadlocked on each other around llm_query: interrupted, the run goes on, they die with the session', async () => {
    const spy = spySandbox(providerOf(KINDS[0]!));
    const deadlock = [
      '```repl',
      'import threading',
      'a, b = threading.Lock(), threading.Lock()',
      'def one():',
      '    with a:',
      '        llm_query("first")',
      '        with b: pass',
      'def two():',
      '    with b:',
      '        llm_query("second")',
      '        with a: pass',
      'workers = [threading.Thread(target=one), threading.Thread(target=two)]',
      'for w in workers: w.start()',
      'for w in workers: w.join()',
      '```',
    ].join('\n');
    const sub = new MockModel({ modelId: 'slow-sub', replies: () => ({ text: 'ok', delayMs: 200 }) });
    const outcome = await scriptedRun({
      sandbox: spy,
      // Both locks still held means both threads are still stuck (Thread.is_alive() is unreliable after an interrupted join()).
      replies: [deadlock, '```repl\nFINAL(a.locked() and b.locked())\n```'],
      settings: { subModel: sub, executionTimeoutMs: 1_500 },
    });
    faultsInjected++;
    expect(outcome.result.status).toBe('completed');
    expect(outcome.result.answer).toBe('True'); // still deadlocked; the REPL works around them
    expect(spy.live).toBe(0);
    expect(isAlive(localPid(spy.sessions[0]!))).toBe(false);
  });

  it('infinite output at the OS level (os.write on fd 1) is bounded too', async () => {
    const outcome = await scriptedRun({
      sandbox: providerOf(KINDS[0]!),
      replies: ['```repl\nimport os\nwhile True:\n    os.write(1, b"y" * 65536)\n```', '```repl\nFINAL("bounded")\n```'],
      settings: { executionTimeoutMs: 1_500, maxOutputChars: 5_000 },
    });
    faultsInjected++;
    expect(outcome.result.status).toBe('completed');
    expect(outcome.result.trajectory.steps[0]!.observation.feedback.length).toBeLessThan(20_000);
  });

  it('a process that model code detaches with setsid is killed with the session', async () => {
    const spy = spySandbox(providerOf(KINDS[0]!));
    const outcome = await scriptedRun({
      sandbox: spy,
      replies: [
        '```repl\nimport subprocess\nd = subprocess.Popen(["sleep", "300"], start_new_session=True)\nprint(d.pid)\n```',
        '```repl\nFINAL(d.pid)\n```',
      ],
    });
    faultsInjected++;
    expect(outcome.result.status).toBe('completed');
    const pid = Number(outcome.result.answer);
    try {
      expect(await waitForNone(() => (isAlive(pid) ? [pid] : []), 2_000)).toEqual([]);
    } finally {
      killAll([{ pid, ppid: 0, command: 'sleep 300' }]);
    }
  });
});

async function waitForNone<T>(probe: () => T[], timeoutMs = 5_000): Promise<T[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = probe();
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
