/**
 * The core end-to-end RLM test (10 MB context, grep, llm_query_batched, FINAL_VAR, depth 2, failure
 * scenarios) through real Docker containers. Skipped with a message when no engine is reachable and CI is unset.
 */
import { testRLMEndToEnd } from '@rlms/core/conformance';
import { describe } from 'vitest';
import { createDockerSandbox } from '../src/index.js';
import { TEST_IMAGE, dockerSuiteTitle, shouldSkipDockerTests } from './docker-test-env.js';

const skip = await shouldSkipDockerTests();

describe.skipIf(skip)(dockerSuiteTitle('docker engine', skip), () => {
  testRLMEndToEnd({ name: `docker (${TEST_IMAGE})`, sandbox: () => createDockerSandbox({ image: TEST_IMAGE, memoryMiB: 512 }) });
});
