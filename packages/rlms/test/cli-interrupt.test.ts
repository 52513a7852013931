import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, makeTree, removeTree, startCli, waitFor } from './cli-helpers.js';
import { isRecordedRootRequest, isRootRequest, scriptedRlmReplies } from './scripted-rlm.js';

const run = promisify(execFile);

/** Pids of the REPL runtimes started by `parentPid` (`pgrep -P parent -f rlms_runtime`). */
async function runtimePids(parentPid: number): Promise<number[]> {
  try {
    const { stdout } = await run('pgrep', ['-P', String(parentPid), '-f', 'rlms_runtime']);
    return stdout.split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** Live (non-zombie) processes of a process group, as `pid state command` lines. */
async function liveGroupMembers(pgid: number): Promise<string[]> {
  const { stdout } = await run('ps', ['-e', '-o', 'pid=,pgid=,stat=,args=']);
  return stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter((fields) => fields.length >= 3 && Number(fields[1]) === pgid && !fields[2]!.startsWith('Z'))
    .map((fields) => [fields[0], ...fields.slice(2)].join(' '));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The real interpreter behind `python3` (pyenv shims run bash helpers that would pollute the process checks). */
let PYTHON: string | undefined;

let server: OpenAICompatibleServer;
let project: string;

beforeAll(async () => {
  PYTHON = (await run('python3', ['-c', 'import sys; print(sys.executable)']).catch(() => undefined))?.stdout.trim() || undefined;
  // Sub-calls hang for two minutes: the run is stuck inside llm_query_batched until Ctrl-C.
  server = await startOpenAICompatibleServer({
    replies: scriptedRlmReplies,
    faultRules: [{ when: (request) => !isRootRequest(request), fault: { type: 'slow', delayMs: 120_000 } }],
  });
  project = await makeTree({ 'auth/login.py': 'def login(user, password):\n    return True\n', 'README.md': '# Demo\n' });
});

afterAll(async () => {
  await server?.close();
  await removeTree(project);
});

describe('Ctrl-C during rlms ask', () => {
  it('exits 130, kills the Python runtime, and still writes the trajectory', async () => {
    const trajectoryPath = join(project, 'out', 'trajectory.json');
    const cli = startCli(
      [
      'ask',
      'Where is login?',
      '-c',
      'auth',
      '-c',
      'README.md',
      '--base-url',
      server.baseURL,
      '-m',
      'test-model',
      '--sandbox',
      'local',
      '--mode',
      'rlm',
      '--save-trajectory',
      trajectoryPath,
      ],
      { cwd: project, env: cleanEnv(PYTHON === undefined ? {} : { RLMS_PYTHON: PYTHON }) },
    );
    const cliPid = cli.child.pid!;
    await waitFor(() => (server.modelRequests.some((request) => request.messages !== undefined && !isRecordedRootRequest(request)) ? true : undefined), 30_000, 'the first sub-call');
    const [pythonPid] = await waitFor(async () => {
      const pids = await runtimePids(cliPid);
      return pids.length > 0 ? pids : undefined;
    }, 10_000, 'the Python runtime process');
    expect(isAlive(pythonPid!)).toBe(true);

    // A terminal sends SIGINT to the whole foreground process group.
    process.kill(-cliPid, 'SIGINT');
    const exit = await cli.exit;
    expect(exit.code, cli.stderr).toBe(130);
    expect(cli.stderr).toContain('rlms: interrupted: stopping the run and freeing the sandbox');
    expect(cli.stdout).toBe('');

    // No orphan: the runtime and anything in its process group are gone.
    await waitFor(() => (isAlive(pythonPid!) ? undefined : true), 5_000, 'the Python runtime to exit');
    await waitFor(async () => ((await liveGroupMembers(pythonPid!)).length === 0 ? true : undefined), 5_000, 'the runtime\'s process group to empty').catch(
      async (error: Error) => {
        throw new Error(`${error.message}: ${(await liveGroupMembers(pythonPid!)).join('; ')}`);
      },
    );
    expect(await liveGroupMembers(cliPid)).toEqual([]);

    expect((await stat(trajectoryPath)).isFile()).toBe(true);
    const trajectory = JSON.parse(await readFile(trajectoryPath, 'utf8')) as { result: { status: string }; steps: { subcalls: unknown[] }[] };
    expect(trajectory.result.status).toBe('aborted');
    expect(trajectory.steps).toHaveLength(1);
    expect(Object.keys((trajectory as unknown as { context: { value: object } }).context.value).sort()).toEqual(['README.md', 'auth/login.py']);
  });
});
