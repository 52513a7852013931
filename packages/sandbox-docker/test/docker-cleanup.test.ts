/**
 * Nothing leaks: many sessions created and destroyed leave no container, and containers of a
 * process that was SIGKILLed are found and removed by cleanupStaleContainers(). Real engine;
 * skipped (with a message) when none is reachable, unless CI is set.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import Dockerode from 'dockerode';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanupStaleContainers, createDockerSandbox } from '../src/index.js';
import { TEST_IMAGE, dockerSuiteTitle, listSandboxContainers, shouldSkipDockerTests } from './docker-test-env.js';

const skip = await shouldSkipDockerTests();
const RUN_LABEL = 'test.rlms.run';
const runId = randomUUID();
const docker = new Dockerode();
const ourContainers = () => listSandboxContainers(docker, `${RUN_LABEL}=${runId}`);
const host = { call: async () => null };

describe.skipIf(skip)(dockerSuiteTitle('docker sandbox clean-up on a real engine', skip), () => {
  afterAll(async () => {
    // Whatever happened above, do not leave this file's containers on the engine.
    for (const info of await ourContainers()) await docker.getContainer(info.Id).remove({ force: true });
  });

  it('100 sessions created, used and destroyed (4 at a time) leave zero containers', async () => {
    const sandbox = createDockerSandbox({ image: TEST_IMAGE, pull: 'never', memoryMiB: 128, labels: { [RUN_LABEL]: runId } });
    let next = 0;
    const outputs: string[] = [];
    const worker = async (): Promise<void> => {
      while (next < 100) {
        const index = next++;
        const session = await sandbox.createSession({ host });
        try {
          outputs[index] = (await session.execute(`print(${index} * 2)`)).stdout;
        } finally {
          await session.destroy();
        }
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    await sandbox.close();
    expect(outputs).toHaveLength(100);
    expect(outputs.every((stdout, index) => stdout === `${index * 2}\n`)).toBe(true);
    expect(await ourContainers()).toEqual([]);
  }, 300_000);

  it('containers of a SIGKILLed host process are removed by cleanupStaleContainers()', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/hold-session.mjs', import.meta.url));
    const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect(existsSync(dist), 'build the package first: pnpm -F @rlms/sandbox-docker build').toBe(true);
    const child = spawn(process.execPath, [fixture, TEST_IMAGE, runId], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const report = await new Promise<{ containerId: string; pid: number }>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(JSON.parse(stdout) as { containerId: string; pid: number });
      });
      void exited.then(() => reject(new Error(`the child exited before creating its session:\n${stderr}`)));
    });
    expect(report.pid).toBe(child.pid);

    child.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL'); // reaped: its pid no longer exists
    const left = await ourContainers();
    expect(left.map((info) => info.Id)).toEqual([report.containerId]);
    expect(left[0]?.Labels['dev.rlms.owner-pid']).toBe(String(report.pid));

    const result = await cleanupStaleContainers({ docker });
    expect(result.removed).toContain(report.containerId);
    expect(result.failed).toEqual([]);
    expect(await ourContainers()).toEqual([]);
  }, 120_000);

  it('a new provider reaps the containers of a SIGKILLed owner before its first session', async () => {
    const fixture = fileURLToPath(new URL('./fixtures/hold-session.mjs', import.meta.url));
    const child = spawn(process.execPath, [fixture, TEST_IMAGE, runId], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const report = await new Promise<{ containerId: string }>((resolve, reject) => {
      let stdout = '';
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('\n')) resolve(JSON.parse(stdout) as { containerId: string });
      });
      void exited.then(() => reject(new Error('the child exited before creating its session')));
    });
    const leftover = await docker.getContainer(report.containerId).inspect();
    expect(leftover.Config.Labels['dev.rlms.owner-instance']).toMatch(/^[0-9a-f-]{36}$/);
    child.kill('SIGKILL');
    await exited;
    expect((await ourContainers()).map((info) => info.Id)).toEqual([report.containerId]); // nothing reaped it yet

    const sandbox = createDockerSandbox({ image: TEST_IMAGE, pull: 'never', memoryMiB: 128, labels: { [RUN_LABEL]: runId } });
    const session = await sandbox.createSession({ host });
    try {
      expect((await sandbox.reapStaleContainers())?.removed).toContain(report.containerId);
      const left = await ourContainers();
      expect(left.map((info) => info.Id)).toEqual([session.containerId]);
      expect(left[0]?.Labels['dev.rlms.owner-instance']).toBe(sandbox.instanceId);
    } finally {
      await session.destroy();
      await sandbox.close();
    }
    expect(await ourContainers()).toEqual([]);
  }, 120_000);

  it('reapStaleContainers: false leaves leftovers to cleanupStaleContainers()', async () => {
    const stale = await docker.createContainer({
      Image: TEST_IMAGE,
      Cmd: ['python3', '-c', 'pass'],
      Labels: {
        'dev.rlms.sandbox': '1',
        [RUN_LABEL]: runId,
        'dev.rlms.owner-pid': String(process.pid),
        'dev.rlms.owner-started': String(Date.now() - 3_600_000),
        'dev.rlms.owner-host': hostname(),
      },
      HostConfig: { NetworkMode: 'none' },
    });
    const sandbox = createDockerSandbox({ image: TEST_IMAGE, pull: 'never', memoryMiB: 128, labels: { [RUN_LABEL]: runId }, reapStaleContainers: false });
    const session = await sandbox.createSession({ host });
    try {
      expect(await sandbox.reapStaleContainers()).toBeUndefined();
      expect((await ourContainers()).map((info) => info.Id)).toContain(stale.id);
    } finally {
      await session.destroy();
      await sandbox.close();
    }
    expect((await cleanupStaleContainers({ docker })).removed).toContain(stale.id);
    expect(await ourContainers()).toEqual([]);
  });

  it('tells a reused pid from its owner, and removes other hosts\' containers only past olderThanMs', async () => {
    const labelled = (labels: Record<string, string>) =>
      docker.createContainer({
        Image: TEST_IMAGE,
        Cmd: ['python3', '-c', 'pass'],
        Labels: { 'dev.rlms.sandbox': '1', [RUN_LABEL]: runId, ...labels },
        HostConfig: { NetworkMode: 'none' },
      });
    const hourAgo = String(Date.now() - 3_600_000);
    // Our pid, but a start time an hour before this process started: the owner is gone, the pid reused.
    const reusedPid = await labelled({
      'dev.rlms.owner-pid': String(process.pid),
      'dev.rlms.owner-started': hourAgo,
      'dev.rlms.owner-host': hostname(),
      'dev.rlms.created': hourAgo,
    });
    const elsewhere = await labelled({
      'dev.rlms.owner-pid': '1',
      'dev.rlms.owner-host': `not-${hostname()}`,
      'dev.rlms.created': hourAgo,
    });
    const first = await cleanupStaleContainers({ docker });
    expect(first.removed).toContain(reusedPid.id);
    expect(first.removed).not.toContain(elsewhere.id);
    const second = await cleanupStaleContainers({ docker, olderThanMs: 30 * 60_000 });
    expect(second.removed).toContain(elsewhere.id);
    expect(await ourContainers()).toEqual([]);
  });

  it('cleanupStaleContainers() leaves containers of live processes alone unless `all` is set', async () => {
    const sandbox = createDockerSandbox({ image: TEST_IMAGE, pull: 'never', memoryMiB: 128, labels: { [RUN_LABEL]: runId } });
    const session = await sandbox.createSession({ host });
    try {
      const stale = await cleanupStaleContainers({ docker, olderThanMs: 0 });
      expect(stale.removed).not.toContain(session.containerId);
      expect((await session.execute('print("still here")')).stdout).toBe('still here\n');
    } finally {
      await session.destroy();
      await sandbox.close();
    }
    expect(await ourContainers()).toEqual([]);
  });
});
