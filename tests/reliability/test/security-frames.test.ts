/**
 * Security issue 19, finding 2 (stdio sandboxes): model code finds the runtime's protocol fd
 * through `gc` (`StdioServer._out_fd`) and writes a header announcing a 2 GiB attachment, or a
 * header line that never ends. The attack runs as model output through `createRLM` + `MockModel`.
 *
 * The host must survive with its memory bounded by the frame cap (10 MiB with the default
 * settings: `frameLimitBytes`), the sandbox must be killed (no process or container left), and the
 * run must end with a typed status: `error` with a `ProtocolError`. The same provider then serves
 * a normal run. Local sandbox always; Docker when an engine is reachable (always in CI).
 */
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { ProtocolError, type SandboxProviderV1 } from '@rlms/core';
import { createDockerSandbox } from '@rlms/sandbox-docker';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { DOCKER_IMAGE, ownContainers, skipDocker } from '../src/docker-env.ts';
import { createProcessMark, findMarkedProcesses, forceGc } from '../src/leak-check.ts';
import { scriptedRun, type ScriptedRunOutcome } from '../src/scripted-run.ts';

const MIB = 1024 * 1024;
/** The cap the engine derives from the default settings (20 000 output chars, 2 000 000 prompt chars). */
const DEFAULT_FRAME_CAP = 10 * MIB;
/** Host memory the attacks may cost at most: twice the cap, plus room for the run itself. */
const RSS_BOUND = 2 * DEFAULT_FRAME_CAP + 64 * MIB;

const FIND_PROTOCOL_FD = [
  'import gc, os',
  "server = next(o for o in gc.get_objects() if type(o).__name__ == 'StdioServer')",
  'fd = server._out_fd',
];
/** Announces a 2 GiB attachment, then sends 512 MiB of it (bounded, so an unfixed host fails instead of hanging). */
const HUGE_ATTACHMENT = [
  '```repl',
  ...FIND_PROTOCOL_FD,
  `os.write(fd, b'{"type":"host_call","id":"x","op":"llm_query","payload":{},"attachment":2147483648}\\n')`,
  "chunk = b'a' * (1 << 20)",
  'for _ in range(512):',
  '    os.write(fd, chunk)',
  '```',
].join('\n');
/** A header line that never ends (512 MiB without a newline). */
const ENDLESS_HEADER = [
  '```repl',
  ...FIND_PROTOCOL_FD,
  `os.write(fd, b'{"type":"response","id":"h9","ok":true,"value":"')`,
  "chunk = b'a' * (1 << 20)",
  'for _ in range(512):',
  '    os.write(fd, chunk)',
  '```',
].join('\n');
const ATTACKS = [
  ['a header announcing a 2 GiB attachment', HUGE_ATTACHMENT, /2147483648 bytes, over the limit of 10485760 bytes/],
  ['a header line that never ends', ENDLESS_HEADER, /exceeded 10485760 bytes/],
] as const;

/** Runs `run` while sampling this process's RSS; returns its outcome and the peak growth in bytes. */
async function measured<T>(run: () => Promise<T>): Promise<{ value: T; peakGrowth: number }> {
  forceGc();
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 2);
  try {
    const value = await run();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, peakGrowth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

function expectProtocolErrorEnd(outcome: ScriptedRunOutcome, message: RegExp): void {
  expect(outcome.result.status).toBe('error');
  expect(ProtocolError.isInstance(outcome.result.error), String(outcome.result.error)).toBe(true);
  expect((outcome.result.error as ProtocolError).code).toBe('protocol');
  expect(outcome.result.statusDetail).toMatch(message);
  expect(outcome.restarts).toBe(0); // a sandbox that attacks the host is not restarted
}

interface Kind {
  readonly name: string;
  readonly skip: boolean;
  readonly create: () => SandboxProviderV1;
  /** What is still running of this kind's sandboxes (processes, containers). */
  readonly leftovers: () => Promise<readonly unknown[]>;
}

const mark = createProcessMark();
const docker = new Dockerode();
const KINDS: readonly Kind[] = [
  {
    name: 'local',
    skip: false,
    create: () => createLocalSandbox({ env: mark.env }),
    leftovers: async () => findMarkedProcesses(mark),
  },
  {
    name: 'docker',
    skip: await skipDocker(),
    create: () => createDockerSandbox({ image: DOCKER_IMAGE, pull: 'never', memoryMiB: 256 }),
    leftovers: () => ownContainers(docker),
  },
];

for (const kind of KINDS) {
  describe.skipIf(kind.skip)(`frame attacks on the ${kind.name} sandbox`, () => {
    let provider: SandboxProviderV1 | undefined;
    const sandbox = (): SandboxProviderV1 => (provider ??= kind.create());
    afterAll(async () => {
      await provider?.close?.();
      expect(await kind.leftovers()).toEqual([]);
    });

    it('warm-up: a normal run completes', async () => {
      const outcome = await scriptedRun({ sandbox: sandbox(), replies: ['```repl\nFINAL(6 * 7)\n```'] });
      expect(outcome.result.status).toBe('completed');
      expect(outcome.result.answer).toBe('42');
    });

    for (const [title, attack, message] of ATTACKS) {
      it(`${title}: the sandbox is killed, host memory stays bounded, the run ends with a ProtocolError`, async () => {
        const { value: outcome, peakGrowth } = await measured(() =>
          scriptedRun({ sandbox: sandbox(), replies: [attack], settings: { executionTimeoutMs: 120_000 } }),
        );
        expectProtocolErrorEnd(outcome, message);
        console.info(`[reliability] ${kind.name}: ${title}: peak host RSS growth ${(peakGrowth / MIB).toFixed(1)} MiB`);
        expect(peakGrowth).toBeLessThan(RSS_BOUND);
        expect(await kind.leftovers()).toEqual([]); // the run's sandbox is gone
        // The host and the provider live on.
        const after = await scriptedRun({ sandbox: sandbox(), replies: ['```repl\nFINAL("still serving")\n```'] });
        expect(after.result.status).toBe('completed');
        expect(after.result.answer).toBe('still serving');
      });
    }
  });
}
