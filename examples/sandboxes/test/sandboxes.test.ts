/**
 * Runs the example as a user would (`node index.ts --base-url … --model scripted`) against the
 * local OpenAI-compatible test server: the same scripted RLM solution through Pyodide, the local
 * Python, and Docker when an engine and the test image are there. Answers must agree and match
 * the generator's counts. A second run points Docker at a socket that does not exist and checks
 * that the sandbox is reported unavailable while the others still answer.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runScriptedExample } from '@rlms/examples-shared/testing';
import { describe, expect, it } from 'vitest';
import { generateLog } from '../generate-log.ts';
import { reply } from './scripted-model.ts';

const run = promisify(execFile);
const EXAMPLE_DIR = new URL('..', import.meta.url);
const DOCKER_IMAGE = process.env.RLMS_DOCKER_IMAGE ?? 'rlms-python:3.11';
const LINES = 5000;

/** True when a Docker engine answers and has the test image (then the docker row must complete). */
async function dockerReady(): Promise<boolean> {
  try {
    await run('docker', ['image', 'inspect', DOCKER_IMAGE], { timeout: 10_000 });
    return true;
  } catch {
    return false;
  }
}

function expectedAnswer(): string[] {
  const { errors } = generateLog({ lines: LINES });
  return Object.keys(errors)
    .sort()
    .map((service) => {
      const counts = Object.entries(errors[service]!);
      const total = counts.reduce((sum, [, count]) => sum + count, 0);
      const [message, count] = counts.sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]!;
      return `${service}: ${total} errors; most frequent: "${message}" (${count} times)`;
    });
}

describe('examples/sandboxes', () => {
  it('gives the same, correct answer in every available sandbox', async () => {
    const docker = await dockerReady();
    const sandboxes = docker ? 'pyodide,local,docker' : 'pyodide,local';
    const { stdout, stderr } = await runScriptedExample(EXAMPLE_DIR, reply, ['--sandboxes', sandboxes, '--docker-image', DOCKER_IMAGE, '--lines', String(LINES)], {
      timeoutMs: 90_000,
    });
    for (const line of expectedAnswer()) expect(stdout).toContain(`${line}\n`);
    for (const sandbox of sandboxes.split(',')) {
      expect(stdout).toMatch(new RegExp(`^${sandbox} +completed +\\d+\\.\\d\\d s +\\d+\\.\\d\\d s +\\d+\\.\\d\\d s +\\d+\\.\\d\\d s +same$`, 'm'));
      expect(stdout).toMatch(new RegExp(`^${sandbox}: usage: completed · 2 root calls, 5 sub-calls · `, 'm'));
    }
    // Each run really went through its own sandbox: the probe printed where Python ran.
    expect(stderr).toMatch(/Python 3\.\d+\.\d+ emscripten/);
    expect(stderr).toMatch(/Python 3\.\d+\.\d+ linux/);
    expect(stderr).toContain(`=== sandbox ${sandboxes.split(',').at(-1)}:`);
  });

  it('reports a sandbox it cannot start as unavailable and still answers in the others', async () => {
    // Exit code 1: a sandbox failed (nosuch).
    const { stdout } = await runScriptedExample(EXAMPLE_DIR, reply, ['--sandboxes', 'docker,local,nosuch', '--lines', String(LINES), '--quiet'], {
      env: { DOCKER_HOST: 'unix:///nonexistent/rlms-test.sock' },
      exitCode: 1,
    });
    expect(stdout).toMatch(/^docker +unavailable +/m);
    expect(stdout).toMatch(/^docker: unavailable: .*docker/im);
    expect(stdout).toMatch(/^local +completed .* same$/m);
    expect(stdout).toMatch(/^nosuch: failed: unknown sandbox "nosuch": use one of pyodide, local, docker, e2b, modal, daytona$/m);
    for (const line of expectedAnswer()) expect(stdout).toContain(`${line}\n`);
  });
});
