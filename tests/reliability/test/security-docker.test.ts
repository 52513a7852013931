/**
 * Security issue 19, finding 8 (Docker leftovers): a host process that owns a sandbox container is
 * SIGKILLed (as the OOM killer would) while its session is open; its container outlives it. The
 * next Docker provider to start a session (here: a run through `createRLM` + `MockModel`) reaps
 * it, and leaves the containers of live processes alone. Skipped with a message when no Docker
 * engine is reachable and CI is unset (`sudo bash .ci/setup-docker.sh` provides one).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { createDockerSandbox } from '@rlms/sandbox-docker';
import { DOCKER_IMAGE, ownContainers, skipDocker } from '../src/docker-env.ts';
import { scriptedRun } from '../src/scripted-run.ts';

const skip = await skipDocker();
const docker = new Dockerode();
const RUN_LABEL = 'test.rlms.security-docker';
const runId = randomUUID();

/** A child Node process that opens a Docker session, reports its container, then idles until killed. */
const HOLDER = `
import { createDockerSandbox } from ${JSON.stringify(import.meta.resolve('@rlms/sandbox-docker'))};
const sandbox = createDockerSandbox({ image: ${JSON.stringify(DOCKER_IMAGE)}, pull: 'never', memoryMiB: 128,
  labels: { ${JSON.stringify(RUN_LABEL)}: ${JSON.stringify(runId)} } });
const session = await sandbox.createSession({ host: { call: async () => null } });
await session.execute('x = 1');
process.stdout.write(JSON.stringify({ containerId: session.containerId, pid: process.pid }) + '\\n');
setInterval(() => {}, 60_000);
`;

/** Starts a holder process; resolves once its container runs. */
async function startHolder(): Promise<{ containerId: string; kill: () => Promise<NodeJS.Signals | null> }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', HOLDER], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  const { containerId } = await new Promise<{ containerId: string }>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(JSON.parse(stdout) as { containerId: string });
    });
    void exited.then(() => reject(new Error(`the holder exited before creating its session:\n${stderr}`)));
  });
  return {
    containerId,
    kill: async () => {
      child.kill('SIGKILL');
      return exited;
    },
  };
}

const runContainers = () => docker.listContainers({ all: true, filters: { label: [`${RUN_LABEL}=${runId}`] } });

describe.skipIf(skip)(`Docker containers of a SIGKILLed host are reaped (${DOCKER_IMAGE})`, () => {
  afterAll(async () => {
    for (const info of await runContainers()) await docker.getContainer(info.Id).remove({ force: true });
  });

  it('a new provider removes the leftover of a killed owner on its first session, and spares a live owner', async () => {
    const killed = await startHolder();
    const alive = await startHolder();
    const labels = (await docker.getContainer(killed.containerId).inspect()).Config.Labels;
    expect(labels).toMatchObject({ 'dev.rlms.sandbox': '1', 'dev.rlms.owner-host': expect.any(String) });
    expect(labels['dev.rlms.owner-pid']).toMatch(/^\d+$/);
    expect(labels['dev.rlms.owner-instance']).toMatch(/^[0-9a-f-]{36}$/);

    expect(await killed.kill()).toBe('SIGKILL');
    // Nothing reaps it by itself: the container outlives its owner.
    expect((await docker.getContainer(killed.containerId).inspect()).State.Running).toBe(true);

    const provider = createDockerSandbox({ image: DOCKER_IMAGE, pull: 'never', memoryMiB: 128 });
    try {
      const outcome = await scriptedRun({ sandbox: provider, replies: ['```repl\nFINAL("fresh provider")\n```'] });
      expect(outcome.result.status).toBe('completed');
      expect((await provider.reapStaleContainers())?.removed).toContain(killed.containerId);
    } finally {
      await provider.close();
    }
    const left = (await runContainers()).map((info) => info.Id);
    expect(left).not.toContain(killed.containerId);
    expect(left).toContain(alive.containerId); // its owner still runs

    await alive.kill();
    expect(await ownContainers(docker)).toEqual([]);
  }, 180_000);
});
