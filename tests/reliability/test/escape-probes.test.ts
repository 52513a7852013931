/**
 * Escape probes run as model code through the engine, in every sandbox that claims isolation:
 * Pyodide (`wasm`) and Docker (`container`) must block every probe; the cloud sandboxes' offline
 * fakes run locally by design, so only what their adapters control (the environment) is judged
 * there. The local sandbox (`isolation: 'none'`) is probed too, to verify that its README lists
 * exactly what it does not isolate.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRLM, type SandboxProviderV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createDockerSandbox } from '@rlms/sandbox-docker';
import { createFakeDaytonaSandboxProvider } from '@rlms/sandbox-daytona/testing';
import { createFakeE2BSandboxProvider } from '@rlms/sandbox-e2b/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createFakeModalSandboxProvider } from '@rlms/sandbox-modal/testing';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
import { DOCKER_IMAGE, ownContainers, skipDocker } from '../src/docker-env.ts';
import { PROBE_CODE, PROBE_DESCRIPTIONS, PROBE_NAMES, outcomes, plantCanaries, type Canaries, type ProbeName, type ProbeVerdict } from '../src/escape-probes.ts';
import { createProcessMark, findMarkedProcesses } from '../src/leak-check.ts';
import { usePrivateTmpdir } from '../src/private-tmpdir.ts';

type Expectation = ProbeVerdict['outcome'] | 'any';

const ALL_BLOCKED: Record<ProbeName, Expectation> = Object.fromEntries(PROBE_NAMES.map((name) => [name, 'blocked'])) as Record<ProbeName, Expectation>;
const ONLY_ENV: Record<ProbeName, Expectation> = { ...(Object.fromEntries(PROBE_NAMES.map((name) => [name, 'any'])) as Record<ProbeName, Expectation>), env: 'blocked' };

const mark = createProcessMark();
const runningAsRoot = process.getuid?.() === 0;
const skipDockerTests = await skipDocker();

/**
 * What each sandbox must show. Local: what its README says it does not isolate (files, network,
 * processes, the host's /proc) is reachable, and only the environment is reduced.
 */
const SANDBOXES: readonly { name: string; isolation: string; skip?: boolean; create: () => SandboxProviderV1; expect: Record<ProbeName, Expectation> }[] = [
  { name: 'pyodide', isolation: 'wasm', create: () => createPyodideSandbox({ warmPoolSize: 0 }), expect: ALL_BLOCKED },
  {
    name: 'docker',
    isolation: 'container',
    skip: skipDockerTests,
    create: () => createDockerSandbox({ image: DOCKER_IMAGE, pull: 'never', memoryMiB: 256 }),
    // Processes inside the container are allowed (its own process table, pids limit); none of the host's are reachable.
    expect: { ...ALL_BLOCKED, spawn: 'any' },
  },
  { name: 'e2b (offline fake)', isolation: 'vm', create: () => createFakeE2BSandboxProvider(), expect: ONLY_ENV },
  { name: 'modal (offline fake)', isolation: 'container', create: () => createFakeModalSandboxProvider(), expect: ONLY_ENV },
  { name: 'daytona (offline fake)', isolation: 'container', create: () => createFakeDaytonaSandboxProvider(), expect: ONLY_ENV },
  {
    name: 'local',
    isolation: 'none',
    create: () => createLocalSandbox({ env: mark.env }),
    expect: {
      env: 'blocked',
      file_read: 'escaped',
      file_write: 'escaped',
      network: 'escaped',
      spawn: 'escaped',
      host_proc: 'escaped',
      proc_environ: 'escaped',
      host_environ: 'escaped',
      signal_host: 'escaped',
      docker_socket: 'any',
      pyodide_js: 'blocked',
      privileges: runningAsRoot ? 'escaped' : 'blocked',
    },
  },
];

let tmp: ReturnType<typeof usePrivateTmpdir>;
let canaries: Canaries;
const table: string[] = [];

beforeAll(async () => {
  tmp = usePrivateTmpdir();
  canaries = await plantCanaries(tmp.path);
});

afterAll(async () => {
  await canaries.dispose();
  tmp.dispose();
  if (table.length > 0) console.info(`[reliability] escape probes:\n${table.join('\n')}`);
});

async function probe(sandbox: SandboxProviderV1): Promise<Record<ProbeName, ProbeVerdict>> {
  const model = new MockModel({ modelId: 'prober', replies: [`\`\`\`repl\n${PROBE_CODE}\n\`\`\``] });
  const rlm = createRLM({ model, sandbox, maxIterations: 1, executionTimeoutMs: 60_000 });
  const result = await rlm.query({ context: canaries.context, question: 'Probe the sandbox.' });
  expect(result.status, `${result.statusDetail ?? ''} ${result.trajectory.steps[0]?.observation.feedback ?? ''}`).toBe('completed');
  return canaries.judge(result.answerValue);
}

function matches(verdicts: Record<ProbeName, ProbeVerdict>, expected: Record<ProbeName, Expectation>): Record<string, string> {
  const wrong: Record<string, string> = {};
  for (const name of PROBE_NAMES) {
    const want = expected[name];
    if (want !== 'any' && verdicts[name].outcome !== want) wrong[name] = `${verdicts[name].outcome} (expected ${want}): ${verdicts[name].detail}`;
  }
  return wrong;
}

describe('escape probes (run as model code)', () => {
  for (const sandbox of SANDBOXES) {
    const title = `${sandbox.name} (isolation '${sandbox.isolation}')`;
    it.skipIf(sandbox.skip === true)(title, async () => {
      const provider = sandbox.create();
      expect(provider.capabilities.isolation).toBe(sandbox.isolation);
      try {
        const verdicts = await probe(provider);
        table.push(
          `  ${sandbox.name}: ` + PROBE_NAMES.map((name) => `${name}=${verdicts[name].outcome}`).join(' '),
        );
        expect(matches(verdicts, sandbox.expect), JSON.stringify(outcomes(verdicts))).toEqual({});
      } finally {
        await provider.close?.();
      }
      if (sandbox.name === 'docker') expect(await ownContainers()).toEqual([]);
    });
  }

  it('every probe is described (for docs/reliability.md)', () => {
    expect(Object.keys(PROBE_DESCRIPTIONS).sort()).toEqual([...PROBE_NAMES].sort());
  });

  it('left no sandbox process behind', () => {
    expect(findMarkedProcesses(mark)).toEqual([]);
  });
});
