/**
 * The shared sandbox conformance suite against a real Docker engine (image rlms-python:3.11 from
 * .ci/setup-docker.sh, or RLMS_DOCKER_IMAGE). Skipped with a message when no engine is reachable,
 * unless CI is set.
 */
import { randomUUID } from 'node:crypto';
import Dockerode from 'dockerode';
import { testSandboxProvider } from '@rlms/core/conformance';
import { afterAll, describe, expect } from 'vitest';
import { createDockerSandbox } from '../src/index.js';
import { TEST_IMAGE, dockerSuiteTitle, listSandboxContainers, shouldSkipDockerTests } from './docker-test-env.js';

const skip = await shouldSkipDockerTests();
const runId = randomUUID();

describe.skipIf(skip)(dockerSuiteTitle('docker', skip), () => {
  testSandboxProvider({
    name: 'docker',
    create: () =>
      createDockerSandbox({ image: TEST_IMAGE, pull: 'never', labels: { 'test.rlms.run': runId } }),
  });

  afterAll(async () => {
    // The suite closed the provider: none of its containers may remain.
    expect(await listSandboxContainers(new Dockerode(), `test.rlms.run=${runId}`)).toEqual([]);
  });
});
