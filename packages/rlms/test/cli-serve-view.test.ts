import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree, removeTree, runCli, startCli, waitFor } from './cli-helpers.js';
import { scriptedRlmReplies } from './scripted-rlm.js';

let models: OpenAICompatibleServer;
let project: string;

beforeAll(async () => {
  models = await startOpenAICompatibleServer({ replies: scriptedRlmReplies });
  project = await makeTree({ 'auth/login.py': 'def login(user, password):\n    return check(user, password)\n' });
});

afterAll(async () => {
  await models?.close();
  await removeTree(project);
});

describe('rlms serve (built CLI)', () => {
  it('serves chat completions backed by an RLM with the same model flags as ask, and stops on SIGTERM', async () => {
    const serve = startCli(['serve', '--port', '0', '--no-auth', '--base-url', models.baseURL, '--model', 'test-model', '--sandbox', 'local', '--model-name', 'rlm-test']);
    const url = await waitFor(() => /listening on (http:\/\/\S+?)[\s,]/.exec(serve.stdout)?.[1], 30_000, 'rlms serve to listen');
    const document = `${'filler line\n'.repeat(500)}def login(user, password):\n    return check(user, password)\n`;
    const response = await fetch(`${url.replace(/\/$/, '')}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'rlm-test', messages: [{ role: 'user', content: `${document}\n\nWhere is login defined?` }] }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { object: string; choices: Array<{ message: { content: string } }>; usage: { total_tokens: number } };
    expect(body.object).toBe('chat.completion');
    expect(body.choices[0]!.message.content).toContain('defines login');
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    serve.child.kill('SIGTERM');
    const exit = await serve.exit;
    expect(exit.code, serve.stderr).toBe(0);
    expect(serve.stderr).toContain('stopped');
  });

  it('refuses to start without keys unless --no-auth is explicit', async () => {
    const run = await runCli(['serve', '--port', '0', '--base-url', models.baseURL, '--model', 'test-model']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/--no-auth|api-key/i);
  });
});

describe('rlms view (built CLI)', () => {
  it('writes a self-contained HTML viewer of a saved trajectory', async () => {
    const trajectoryPath = join(project, 'run.json');
    const asked = await runCli(['ask', 'Where is login implemented?', '-c', join(project, 'auth'), '--base-url', models.baseURL, '--model', 'test-model', '--sandbox', 'local', '--mode', 'rlm', '--save-trajectory', trajectoryPath]);
    expect(asked.code, asked.stderr).toBe(0);
    const out = join(project, 'view.html');
    const view = await runCli(['view', trajectoryPath, '--out', out]);
    expect(view.code, view.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('Where is login implemented?');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });
});
