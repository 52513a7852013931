import { execFileSync } from 'node:child_process';
import { chmod, readFile, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedactor } from '../src/cli/redact-secrets.js';
import { cleanEnv, makeTree, removeTree, runCli } from './cli-helpers.js';
import { scriptedRlmReplies } from './scripted-rlm.js';

let server: OpenAICompatibleServer;
let project: string;

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ replies: scriptedRlmReplies });
  project = await makeTree({ 'auth/login.py': 'def login(user, password):\n    return True\n', 'README.md': '# Demo\n' });
});

afterAll(async () => {
  await server?.close();
  await removeTree(project);
});

const SERVICE_TOKEN = 'tok-9f8e7d6c5b4a39281706';
const CUSTOM_KEY = 'custom-credential-0123456789';
const SHAPED_KEY = `sk-${'A1b2C3d4'.repeat(4)}`;

describe('files the CLI writes about a run', () => {
  it('creates --save-trajectory 0600 (also over an existing 0644 file), with API keys and secret environment values redacted', async () => {
    const trajectoryPath = join(project, 'out', 'run.json');
    const args = (path: string) => [
      'ask',
      `Where is login? (ticket mentions ${SERVICE_TOKEN} and ${SHAPED_KEY})`,
      '-c',
      project,
      '--base-url',
      server.baseURL,
      '--model',
      'test-model',
      '--api-key-env',
      'MY_LLM',
      '--sandbox',
      'local',
      '--mode',
      'rlm',
      '--save-trajectory',
      path,
      '--json',
    ];
    const env = cleanEnv({ RLMS_TEST_SERVICE_TOKEN: SERVICE_TOKEN, MY_LLM: CUSTOM_KEY });
    const run = await runCli(args(trajectoryPath), { env });
    expect(run.code, run.stderr).toBe(0);
    expect((await stat(trajectoryPath)).mode & 0o777).toBe(0o600);
    const saved = await readFile(trajectoryPath, 'utf8');
    for (const output of [saved, run.stdout]) {
      expect(output).not.toContain(SERVICE_TOKEN);
      expect(output).not.toContain(SHAPED_KEY);
      expect(output).not.toContain(CUSTOM_KEY);
      expect(output).toContain('ticket mentions [REDACTED] and [REDACTED]');
    }
    expect(JSON.parse(saved)).toMatchObject({ version: 1, result: { status: 'completed' } });

    // A file that existed with a wider mode is narrowed.
    const existing = join(project, 'existing.json');
    await writeFile(existing, 'old');
    await chmod(existing, 0o644);
    const again = await runCli(args(existing), { env });
    expect(again.code, again.stderr).toBe(0);
    expect((await stat(existing)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(existing, 'utf8'))).toMatchObject({ version: 1 });
  }, 120_000);

  it('refuses to write the trajectory through a symbolic link', async () => {
    const target = join(project, 'target.txt');
    await writeFile(target, 'precious');
    const link = join(project, 'link.json');
    await symlink(target, link);
    const run = await runCli(['ask', 'Where is login?', '-c', project, '--base-url', server.baseURL, '--model', 'test-model', '--sandbox', 'local', '--mode', 'rlm', '--save-trajectory', link]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Cannot write ${link}: it is a symbolic link`);
    expect(await readFile(target, 'utf8')).toBe('precious');
  }, 120_000);
});

describe('--context naming a special file', () => {
  it('gives a clear error and a non-zero exit for a FIFO, without waiting for a writer', async () => {
    const fifo = join(project, 'notes.fifo');
    execFileSync('mkfifo', [fifo]);
    const estimate = await runCli(['estimate', '--context', fifo]);
    expect(estimate.code).toBe(1);
    expect(estimate.stderr).toContain(`rlms: ${fifo} is a named pipe (FIFO), not a regular file, and is not opened`);
    const ask = await runCli(['ask', 'Summarise', '--context', fifo, '--base-url', server.baseURL, '--model', 'test-model']);
    expect(ask.code).toBe(1);
    expect(ask.stderr).toContain('is a named pipe (FIFO), not a regular file');
  }, 60_000);
});

describe('createRedactor', () => {
  it('replaces secret-named environment values, the API key in use, key shapes and URL credentials, in raw and JSON text', () => {
    const redact = createRedactor({ OPENAI_API_KEY: 'sk-proj-abcdefghijklmnopqrstuv', DB_PASSWORD: 'pa"ss\\word99', HOME: '/home/someone', SHORT_TOKEN: 'abc' }, ['my-own-key-123456']);
    expect(redact('key sk-proj-abcdefghijklmnopqrstuv and my-own-key-123456')).toBe('key [REDACTED] and [REDACTED]');
    expect(redact(JSON.stringify({ password: 'pa"ss\\word99' }))).toBe('{"password":"[REDACTED]"}');
    expect(redact('AIzaSyA1234567890abcdefghijklmnopqrstuv')).toBe('[REDACTED]');
    expect(redact('postgres://admin:hunter2@db.internal/app')).toBe('postgres://[REDACTED]@db.internal/app');
    // Not secrets: ordinary variables and short values.
    expect(redact('/home/someone uses abc')).toBe('/home/someone uses abc');
  });
});
