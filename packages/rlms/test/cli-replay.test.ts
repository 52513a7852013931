import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, removeTree, runCli } from './cli-helpers.js';
import { scriptedRlmReplies } from './scripted-rlm.js';

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
});
