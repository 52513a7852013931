import { access, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ServerReplyRequest } from '@rlms/openai/testing';
import { describe, expect, it } from 'vitest';
import { rootTurn, runExample, runScriptedExample, scriptedReply, temporaryDirectory } from '../testing.ts';

const FIXTURE = new URL('./fixture/', import.meta.url);

function request(overrides: Partial<ServerReplyRequest>): ServerReplyRequest {
  return {
    api: 'chat', model: 'scripted', messages: [], systemPrompt: undefined, lastUserMessage: undefined, stream: false, index: 0, body: {}, headers: {},
    ...overrides,
  };
}

const ROOT = 'You are in a Python REPL.';

describe('runExample', () => {
  it('runs node index.ts in the folder without the OpenAI key, with stdin, whatever the exit code', async () => {
    const run = await runExample(FIXTURE, ['--exit', '3'], { stdin: 'hello', env: { RLMS_FIXTURE: 'yes', OPENAI_API_KEY: 'sk-not-passed' } });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({ args: ['--exit', '3'], input: 'hello', hasKey: false, extra: 'yes' });
    expect(run.stderr).toBe('fixture stderr\n');
  });

  it('kills a run that outlives its timeout', async () => {
    await expect(runExample(FIXTURE, ['--hang'], { timeoutMs: 500 })).rejects.toThrow(/node index.ts --hang did not exit within 500 ms/);
  });
});

describe('runScriptedExample', () => {
  it('passes --base-url and --model, and checks the exit code', async () => {
    const { stdout, server } = await runScriptedExample(FIXTURE, () => 'unused', ['--extra']);
    expect(JSON.parse(stdout).args).toEqual(['--base-url', server.baseURL, '--model', 'scripted', '--extra']);
    await expect(runScriptedExample(FIXTURE, () => 'unused', ['--exit', '1'])).rejects.toThrow(/exited with 1, expected 0\.\nstderr:\nfixture stderr/);
    await expect(runScriptedExample(FIXTURE, () => 'unused', ['--exit', '1'], { exitCode: 1, model: 'm' })).resolves.toMatchObject({ code: 1 });
  });
});

describe('scriptedReply', () => {
  const reply = scriptedReply({ root: ['first', 'second'], subModel: (prompt) => `sub: ${prompt}` });

  it('answers sub-calls with the sub-model and root calls turn by turn', () => {
    expect(reply(request({ lastUserMessage: 'a prompt' }))).toBe('sub: a prompt');
    expect(reply(request({ systemPrompt: ROOT, messages: [{ role: 'user', content: 'q' }] }))).toBe('first');
    const later = [{ role: 'user', content: 'q' }, { role: 'assistant', content: 'first' }, { role: 'user', content: 'output' }] as const;
    expect(reply(request({ systemPrompt: ROOT, messages: later, lastUserMessage: 'output' }))).toBe('second');
  });

  it('fails on a Python error and when the script is used up', () => {
    expect(() => reply(request({ systemPrompt: ROOT, lastUserMessage: 'error: NameError' }))).toThrow(/the scripted code failed in the sandbox/);
    const assistant = { role: 'assistant', content: '…' } as const;
    expect(() => rootTurn(['only'], request({ messages: [assistant] }))).toThrow('unexpected root turn 2');
  });
});

describe('temporaryDirectory', () => {
  it('is removed with its content when its block ends', async () => {
    let path = '';
    {
      await using directory = await temporaryDirectory('rlms-shared-test-');
      path = directory.path;
      await writeFile(join(path, 'file.txt'), 'content');
      await expect(access(join(path, 'file.txt'))).resolves.toBeUndefined();
    }
    await expect(access(path)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
