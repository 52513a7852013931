/**
 * Sandbox faults in the Docker sandbox, through the engine: the container killed from the host
 * mid-execution, the kernel's OOM killer at the container's memory limit, a fork bomb stopped by
 * the pids limit (bounded: 100 attempts), infinite output, code that swallows interrupts. Every
 * container must be gone afterwards. Skipped with a message when no engine is reachable and CI is
 * unset (`sudo bash .ci/setup-docker.sh` provides one).
 */
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerSandbox } from '@rlms/sandbox-docker';
import { DOCKER_IMAGE, ownContainers, skipDocker } from '../src/docker-env.ts';
import { killContainer } from '../src/kill-interpreter.ts';
import { scriptedRun } from '../src/scripted-run.ts';
import { spySandbox } from '../src/session-spy.ts';

const skip = await skipDocker();
const docker = new Dockerode();
const provider = createDockerSandbox({ image: DOCKER_IMAGE, pull: 'never', memoryMiB: 128, pidsLimit: 64, interruptGraceMs: 500 });

afterAll(async () => {
  await provider.close();
  if (!skip) expect(await ownContainers(docker)).toEqual([]);
});

describe.skipIf(skip)(`docker sandbox faults (${DOCKER_IMAGE})`, () => {
  it('the container killed from the host mid-execution: restarted in a new container, the run completes', async () => {
    const spy = spySandbox(provider);
    const tools = {
      started: {
        execute: () => {
          setTimeout(() => void killContainer(docker, spy.sessions.at(-1)!).catch((error: unknown) => console.error(error)), 200);
          return null;
        },
      },
    };
    const outcome = await scriptedRun({
      sandbox: spy,
      replies: ['```repl\nimport time\nstate = 1\nstarted()\ntime.sleep(30)\n```', '```repl\nFINAL("state" in globals())\n```'],
      settings: { tools, executionTimeoutMs: 60_000 },
    });
    expect(outcome.result.status).toBe('completed');
    expect(outcome.result.answer).toBe('False');
    expect(outcome.restarts).toBe(1);
    expect(spy.live).toBe(0);
  });

  it('memory past the container limit: the OOM killer ends the session (out-of-memory), the engine restarts it', async () => {
    const outcome = await scriptedRun({
      sandbox: provider,
      replies: ['```repl\nchunks = []\nwhile True:\n    chunks.append(b"x" * (16 << 20))\n```', '```repl\nFINAL("after oom")\n```'],
      settings: { executionTimeoutMs: 60_000 },
    });
    expect(outcome.result.status).toBe('completed');
    expect(outcome.result.answer).toBe('after oom');
    expect(outcome.restarts).toBe(1);
    expect(outcome.restartReasons[0]).toMatch(/memory/i);
  });

  it('a fork bomb (100 attempts) is stopped by the pids limit; the session lives', async () => {
    const bomb = [
      '```repl',
      'import subprocess',
      'started, refused = [], 0',
      'for _ in range(100):',
      '    try:',
      '        started.append(subprocess.Popen(["sleep", "300"]))',
      '    except OSError:',
      '        refused += 1',
      'print(len(started), "started,", refused, "refused")',
      '```',
    ].join('\n');
    const outcome = await scriptedRun({ sandbox: provider, replies: [bomb, '```repl\nFINAL([len(started), refused])\n```'] });
    expect(outcome.result.status).toBe('completed');
    const [started, refused] = outcome.result.answerValue as [number, number];
    expect(started).toBeLessThan(64);
    expect(refused).toBeGreaterThan(0);
  });

  it('infinite output and code that swallows interrupts: bounded, restarted, completed', async () => {
    const output = await scriptedRun({
      sandbox: provider,
      replies: ['```repl\nkeep = 3\nwhile True:\n    print("x" * 10_000)\n```', '```repl\nFINAL(keep)\n```'],
      settings: { executionTimeoutMs: 1_500, maxOutputChars: 5_000 },
    });
    expect(output.result.status).toBe('completed');
    expect(output.result.answer).toBe('3');
    expect(output.result.trajectory.steps[0]!.observation.feedback.length).toBeLessThan(20_000);

    const stubborn = await scriptedRun({
      sandbox: provider,
      replies: ['```repl\nimport time\nwhile True:\n    try:\n        time.sleep(0.05)\n    except KeyboardInterrupt:\n        pass\n```', '```repl\nFINAL("after")\n```'],
      settings: { executionTimeoutMs: 1_000 },
    });
    expect(stubborn.result.status).toBe('completed');
    expect(stubborn.restarts).toBe(1);
  });
});
