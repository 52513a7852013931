import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, removeTree, runCli } from './cli-helpers.js';
import { isRootRequest, scriptedRlmReplies } from './scripted-rlm.js';

let server: OpenAICompatibleServer;
let project: string;

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ replies: scriptedRlmReplies });
  project = await makeTree({
    'auth/login.py': 'def login(user, password):\n    return check_password(user, password)\n',
    'README.md': '# Demo app\n',
  });
});

afterAll(async () => {
  await server?.close();
  await removeTree(project);
});

describe('rlms replay (built CLI)', () => {
  it('reproduces a saved run with no model server, and reports a divergence', async () => {
    const trajectoryPath = join(project, '..', `${project.split('/').pop()}-replay.json`);
    const asked = await runCli(['ask', 'Where is login implemented?', '-c', project, '--base-url', server.baseURL, '--model', 'test-model', '--sandbox', 'local', '--mode', 'rlm', '--save-trajectory', trajectoryPath]);
    expect(asked.code, asked.stderr).toBe(0);
    const requestsBefore = server.requests.length;
    await server.close();

    const replayed = await runCli(['replay', trajectoryPath, '--sandbox', 'local']);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toBe(asked.stdout);
    expect(replayed.stderr).toContain('matches the saved run');
    // One voice: core's narrator words the steps, and counts agree in number.
    expect(replayed.stderr).toContain('replay: Iteration 1: asking the root model.');
    expect(replayed.stderr).toMatch(/replay: \d+ sub-calls? to \S*test-model finished/);
    const summary = /matches the saved run \((\d+) (iterations?), (\d+) (sub-calls?), no API calls/.exec(replayed.stderr);
    expect(summary).not.toBeNull();
    const [, iterations, iterationWord, subcalls, subcallWord] = summary!;
    expect(iterationWord).toBe(iterations === '1' ? 'iteration' : 'iterations');
    expect(subcallWord).toBe(subcalls === '1' ? 'sub-call' : 'sub-calls');
    expect(server.requests.length).toBe(requestsBefore);

    // Tamper with the saved answer: the replay still runs, and says it diverged.
    const saved = JSON.parse(await readFile(trajectoryPath, 'utf8'));
    saved.result.answer = 'something else';
    await writeFile(trajectoryPath, JSON.stringify(saved));
    const diverged = await runCli(['replay', trajectoryPath, '--sandbox', 'local', '--json']);
    expect(diverged.code).toBe(1);
    expect(JSON.parse(diverged.stdout)).toMatchObject({ matches: false, status: 'completed', expectedAnswer: 'something else' });
    await removeTree(trajectoryPath);
  });

  it('explains what is wrong with a file that is not a trajectory', async () => {
    const notJson = await runCli(['replay', join(project, 'README.md')]);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/Cannot read the trajectory .*README\.md: [\s\S]* is not valid JSON/);
    const otherJson = join(project, 'other.json');
    await writeFile(otherJson, '{"steps": 3}');
    const run = await runCli(['replay', otherJson]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('is not an rlms trajectory');
  });

  it('checks the shape and size of the file before using it, and refuses a FIFO without blocking', async () => {
    const base = { version: 1, runId: 'r', depth: 0, question: 'q', model: 'm', subModel: 'm', sandbox: 'pyodide', context: { metadata: {}, value: 'text' } };
    const badStep = join(project, 'bad-step.json');
    await writeFile(badStep, JSON.stringify({ ...base, steps: [{ kind: 'iteration', iteration: 1, action: { response: 42 }, subcalls: [] }] }));
    const shape = await runCli(['replay', badStep]);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain('is not an rlms trajectory that can be replayed: steps[0].action.response must be a string.');

    const tooBig = await runCli(['replay', badStep, '--max-bytes', '100']);
    expect(tooBig.code).toBe(2);
    expect(tooBig.stderr).toMatch(/larger than 100 bytes .*raise the limit with --max-bytes/);

    const fifo = join(project, 'trajectory.fifo');
    execFileSync('mkfifo', [fifo]);
    const piped = await runCli(['replay', fifo]);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('it is a named pipe (FIFO), not a regular file');
  }, 60_000);
});

describe('rlms replay of a hostile trajectory (built CLI)', () => {
  /** Model code that would touch the host: a shell command and a file write, both aimed at `marker`. */
  const hostileCode = (marker: string) =>
    [
      '```repl',
      'import os',
      `marker = ${JSON.stringify(marker)}`,
      'try:',
      '    os.system("touch " + marker)',
      'except Exception as error:',
      '    print("os.system failed:", error)',
      'try:',
      '    open(marker + "-open", "w").write("x")',
      'except Exception as error:',
      '    print("open failed:", error)',
      'FINAL("replayed")',
      '```',
    ].join('\n');

  it('runs the code in Pyodide whatever sandbox the file names, and says so; only --sandbox local runs it on the host', async () => {
    const marker = join(project, 'HOST-TOUCHED');
    const hostile = await startOpenAICompatibleServer({ replies: (request) => (isRootRequest(request) ? hostileCode(marker) : 'sub') });
    const trajectoryPath = join(project, 'hostile.json');
    try {
      // Recorded safely in Pyodide, then edited as an attacker would before sharing it.
      const recorded = await runCli(['ask', 'Anything?', '-c', join(project, 'README.md'), '--base-url', hostile.baseURL, '--model', 'test-model', '--mode', 'rlm', '--save-trajectory', trajectoryPath]);
      expect(recorded.code, recorded.stderr).toBe(0);
    } finally {
      await hostile.close();
    }
    expect(existsSync(marker)).toBe(false);
    const saved = JSON.parse(await readFile(trajectoryPath, 'utf8'));
    saved.sandbox = 'local';
    await writeFile(trajectoryPath, JSON.stringify(saved));

    const replayed = await runCli(['replay', trajectoryPath, '--json']);
    expect(replayed.stderr).toContain('replay: running the saved code in the pyodide sandbox (the default for replays; the file\'s sandbox "local" is never used');
    expect(JSON.parse(replayed.stdout)).toMatchObject({ sandbox: 'pyodide', answer: 'replayed', matches: true });
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(`${marker}-open`)).toBe(false);

    // The same file with --sandbox local on the command line (the user's explicit choice) does reach
    // the host: this proves the payload above is live, so its absence is the sandbox's doing.
    const local = await runCli(['replay', trajectoryPath, '--sandbox', 'local']);
    expect(local.code, local.stderr).toBe(0);
    expect(local.stderr).toContain('replay: running the saved code in the local sandbox (from --sandbox)');
    expect(local.stderr).toContain('runs the file\'s code on this machine as you');
    expect(existsSync(marker)).toBe(true);
    await rm(marker, { force: true });
    await rm(`${marker}-open`, { force: true });
  }, 120_000);
});
