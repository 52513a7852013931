import Dockerode from 'dockerode';
import { ConfigurationError } from '@rlms/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DOCKER_IMAGE,
  DockerEngineUnavailableError,
  DockerImageNotFoundError,
  DockerPythonUnavailableError,
  cleanupStaleContainers,
  createDockerSandbox,
} from '../src/index.js';

/** A client pointed at a socket that does not exist: any I/O fails with ENOENT. */
const unreachable = () => new Dockerode({ socketPath: '/nonexistent/rlms-test/docker.sock' });
const host = { call: async () => 'unused' };

describe('createDockerSandbox settings', () => {
  it('applies documented defaults and declares its capabilities', () => {
    const provider = createDockerSandbox();
    expect(provider.specificationVersion).toBe('rlms-sandbox-v1');
    expect(provider.name).toBe('docker');
    expect(provider.settings).toMatchObject({
      image: DEFAULT_DOCKER_IMAGE,
      memoryMiB: 1024,
      cpus: 1,
      pidsLimit: 256,
      pythonPath: 'python3',
      user: { spec: '65534:65534', uid: 65534, gid: 65534 },
      pull: 'missing',
      maxIdle: 0,
      reapStaleContainers: true,
    });
    expect(DEFAULT_DOCKER_IMAGE).toBe('python:3.12-slim');
    expect(provider.capabilities).toEqual({
      isolation: 'container',
      network: false,
      nativePackages: true,
      subprocess: true,
      interrupt: true,
      threads: true,
      maxContextBytes: 256 * 1024 * 1024,
    });
  });

  it('parses user and reuse forms', () => {
    expect(createDockerSandbox({ user: 'root' }).settings.user).toEqual({ spec: '0:0', uid: 0, gid: 0 });
    expect(createDockerSandbox({ user: '1000' }).settings.user).toEqual({ spec: '1000:1000', uid: 1000, gid: 1000 });
    expect(createDockerSandbox({ reuse: true }).settings.maxIdle).toBe(4);
    expect(createDockerSandbox({ reuse: { maxIdle: 2 } }).settings.maxIdle).toBe(2);
  });

  it.each([
    [{ memoryMiB: 0 }, /memoryMiB/],
    [{ cpus: -1 }, /cpus/],
    [{ pidsLimit: 2.5 }, /pidsLimit/],
    [{ network: 'bridge' }, /network.*"none"/],
    [{ user: 'nobody' }, /numeric "uid"/],
    [{ image: '' }, /image/],
    [{ pull: 'always' }, /pull/],
    [{ labels: { 'dev.rlms.sandbox': '0' } }, /reserved "dev\.rlms\." prefix/],
    [{ reuse: { maxIdle: -1 } }, /reuse\.maxIdle/],
    [{ reapStaleContainers: 'yes' }, /reapStaleContainers/],
    [{ startTimeoutMs: 0 }, /startTimeoutMs/],
  ])('rejects %j with a ConfigurationError naming the setting', (settings, message) => {
    const attempt = () => createDockerSandbox(settings as never);
    expect(attempt).toThrow(message);
    try {
      attempt();
    } catch (error) {
      expect(ConfigurationError.isInstance(error)).toBe(true);
    }
  });

  it('does no I/O in the factory', () => {
    // Constructing against an unreachable engine must not throw or connect.
    const provider = createDockerSandbox({ docker: unreachable() });
    expect(provider.docker).toBeInstanceOf(Dockerode);
  });
});

describe('engine errors (no engine needed)', () => {
  it('createSession against an unreachable engine throws DockerEngineUnavailableError saying how to fix it', async () => {
    const provider = createDockerSandbox({ docker: unreachable() });
    const error = await provider.createSession({ host }).catch((caught: unknown) => caught);
    expect(DockerEngineUnavailableError.isInstance(error)).toBe(true);
    const typed = error as DockerEngineUnavailableError;
    expect(typed.sandbox).toBe('docker');
    expect(typed.endpoint).toBe('unix:///nonexistent/rlms-test/docker.sock');
    expect(typed.message).toMatch(/DOCKER_HOST/);
    expect(typed.message).toMatch(/Start Docker/);
  });

  it('a malformed DOCKER_HOST is a ConfigurationError naming the variable', async () => {
    const saved = process.env['DOCKER_HOST'];
    process.env['DOCKER_HOST'] = 'tcp://[::1';
    try {
      const error = await createDockerSandbox()
        .createSession({ host })
        .catch((caught: unknown) => caught);
      expect(ConfigurationError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/DOCKER_HOST/);
    } finally {
      if (saved === undefined) delete process.env['DOCKER_HOST'];
      else process.env['DOCKER_HOST'] = saved;
    }
  });

  it('cleanupStaleContainers against an unreachable engine throws DockerEngineUnavailableError', async () => {
    await expect(cleanupStaleContainers({ docker: unreachable() })).rejects.toSatisfy((error: unknown) =>
      DockerEngineUnavailableError.isInstance(error),
    );
  });

  it('error messages say how to get an image and a usable Python', () => {
    const missing = new DockerImageNotFoundError('python:3.12-slim', { pulled: true, cause: new Error('no such host') });
    expect(missing.message).toMatch(/docker pull python:3\.12-slim/);
    expect(missing.message).toMatch(/debootstrap --variant=minbase --include=python3/);
    expect(missing.message).toMatch(/docker import/);
    expect(missing.message).toMatch(/no such host/);
    const noPython = new DockerPythonUnavailableError('alpine:3', 'python3 was not found');
    expect(noPython.message).toMatch(/python3 >= 3\.10/);
    expect(DockerPythonUnavailableError.isInstance(noPython)).toBe(true);
    expect(DockerImageNotFoundError.isInstance(noPython)).toBe(false);
  });
});
