import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, makeTree, removeTree, runCli } from './cli-helpers.js';
import { scriptedRlmReplies } from './scripted-rlm.js';

const PNG_HEADER = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

let server: OpenAICompatibleServer;
let project: string;

beforeAll(async () => {
  server = await startOpenAICompatibleServer({ replies: scriptedRlmReplies });
  project = await makeTree({
    'auth/login.py': 'def login(user, password):\n    return check_password(user, password)\n',
    'auth/session.ts': 'export function login(token: string) {\r\n  return token;\r\n}\r\n',
    'README.md': '# Demo app\n',
    '.gitignore': 'build/\n',
    'build/bundle.js': 'function login(){}\n',
    'node_modules/dep/index.js': 'function login(){}\n',
    'logo.png': PNG_HEADER,
  });
});

afterAll(async () => {
  await server?.close();
  await removeTree(project);
  await removeTree(project === undefined ? undefined : `${project}-trajectory`);
});

describe('rlms ask (built CLI, local OpenAI-compatible server)', () => {
  it('runs a whole RLM over a folder: answer on stdout, progress on stderr, trajectory saved', async () => {
    server.reset();
    const trajectoryPath = join(`${project}-trajectory`, 'run.json');
    const run = await runCli([
      'ask',
      'Where is login implemented?',
      '--context',
      project,
      '--base-url',
      server.baseURL,
      '--model',
      'test-model',
      '--sandbox',
      'local',
      '--mode',
      'rlm',
      '--save-trajectory',
      trajectoryPath,
    ]);
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('auth/login.py: auth/login.py defines login\nauth/session.ts: auth/session.ts defines login\n');
    // Progress: plain lines (stderr is a pipe), with iteration, action, sub-calls, tokens, cost, elapsed.
    expect(run.stderr).toContain('rlms: context: 4 files');
    expect(run.stderr).toMatch(/rlms: Iteration 1: asking the root model · \d[\d,]* tokens · cost n\/a · [\d.]+m?s\n/);
    expect(run.stderr).toMatch(/rlms: Iteration 1: running code block 1 · /);
    expect(run.stderr).toMatch(/sub-calls?/);
    expect(run.stderr).toMatch(/rlms: completed \(rlm\) · 2 iterations · 2 sub-calls · [\d,]+ tokens/);
    expect(run.stderr).toContain(`trajectory written to ${trajectoryPath}`);

    const trajectory = JSON.parse(await readFile(trajectoryPath, 'utf8')) as {
      steps: { action: { code: string[] }; subcalls: { op: string; input: string; output: string }[] }[];
      result: { status: string; answer: string };
      context: { value: Record<string, string> };
      sandbox: string;
    };
    expect(trajectory.sandbox).toBe('local');
    expect(trajectory.steps).toHaveLength(2);
    expect(trajectory.steps[0]!.subcalls.map((call) => call.op)).toEqual(['llm_query_batched', 'llm_query_batched']);
    expect(trajectory.steps[0]!.subcalls.map((call) => call.output).sort()).toEqual(['auth/login.py defines login', 'auth/session.ts defines login']);
    expect(trajectory.result.status).toBe('completed');
    expect(trajectory.result.answer).toBe(run.stdout.trimEnd());
    // The context: relative paths as keys, exact text (CRLF kept, no line numbers), ignored/binary files left out.
    expect(Object.keys(trajectory.context.value).sort()).toEqual(['.gitignore', 'README.md', 'auth/login.py', 'auth/session.ts']);
    expect(trajectory.context.value['auth/session.ts']).toBe('export function login(token: string) {\r\n  return token;\r\n}\r\n');

    const models = server.modelRequests;
    expect(models.filter((request) => request.messages?.[0]?.role === 'system')).toHaveLength(2);
    expect(models).toHaveLength(4);
    server.assertNoFailures();
  });

  it('--json prints the whole result without the context unless asked', async () => {
    server.reset();
    const base = ['ask', 'Where is login?', '-c', project, '--base-url', server.baseURL, '-m', 'test-model', '--sandbox', 'local', '--mode', 'rlm', '--json', '-q'];
    const run = await runCli(base);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as Record<string, any>;
    expect(result.status).toBe('completed');
    expect(result.mode).toBe('rlm');
    expect(result.answer).toContain('auth/login.py defines login');
    expect(result.usage.total.calls).toBe(4);
    expect(result.iterations).toBe(2);
    expect(result.trajectory.steps).toHaveLength(2);
    expect(result.trajectory.context.metadata.type).toBe('dict');
    expect(result.trajectory.context.value).toBeUndefined();

    server.reset();
    const withContext = JSON.parse((await runCli([...base, '--include-context'])).stdout) as Record<string, any>;
    expect(withContext.trajectory.context.value['README.md']).toBe('# Demo app\n');
  });

  it('runs with the default sandbox (Pyodide)', async () => {
    server.reset();
    const run = await runCli(['ask', 'Where is login?', '--context', project, '--base-url', server.baseURL, '--model', 'test-model', '--mode', 'rlm']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('auth/login.py: auth/login.py defines login\nauth/session.ts: auth/session.ts defines login\n');
    expect(run.stderr).not.toContain('--sandbox local');
    expect(run.stderr).toMatch(/rlms: completed \(rlm\) · 2 iterations · 2 sub-calls/);
    server.assertNoFailures();
  });

  it('auto mode answers a small folder with one direct call', async () => {
    server.reset({ replies: ['Login lives in auth/login.py (line 1) and auth/session.ts (line 1).'] });
    const run = await runCli(['ask', 'Where is login?', '-c', project, '--base-url', server.baseURL, '-m', 'test-model', '--sandbox', 'local']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('Login lives in auth/login.py (line 1) and auth/session.ts (line 1).\n');
    expect(run.stderr).toMatch(/completed \(direct\) · 1 iteration · 0 sub-calls/);
    const [request] = server.modelRequests;
    expect(request!.messages!.at(-1)!.content).toContain('<document name="auth/login.py">\ndef login(user, password):');

    // --cache: the same question again is answered from the cache, without a model request.
    const cacheDir = `${project}-cache`;
    const args = ['ask', 'Where is login?', '-c', project, '--base-url', server.baseURL, '-m', 'test-model', '--cache', cacheDir];
    server.reset({ replies: ['From the model.'] });
    expect((await runCli(args)).stdout).toBe('From the model.\n');
    server.reset({ replies: [] });
    const cached = await runCli(args);
    expect(cached.code, cached.stderr).toBe(0);
    expect(cached.stdout).toBe('From the model.\n');
    expect(server.modelRequests).toHaveLength(0);
    await removeTree(cacheDir);
    server.reset({ replies: scriptedRlmReplies });
  });
});

describe('rlms ask errors a newcomer hits', () => {
  const noStack = (stderr: string) => expect(stderr).not.toMatch(/\n\s+at /);

  it('without an API key or base URL: one sentence naming OPENAI_API_KEY', async () => {
    const run = await runCli(['ask', 'What is this?', '--context', project], { env: cleanEnv() });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toEqual([
      'rlms: No OpenAI API key: set the OPENAI_API_KEY environment variable (or name another variable with --api-key-env), or point --base-url at a local OpenAI-compatible server.',
    ]);
  });

  it('an unset --api-key-env variable, an unknown model, an unknown sandbox', async () => {
    const keyless = await runCli(['ask', 'q', '-c', project, '--api-key-env', 'MY_LLM_KEY']);
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toContain('The environment variable MY_LLM_KEY (from --api-key-env) is not set: set it to the API key, or drop --api-key-env.');

    const model = await runCli(['ask', 'q', '-c', project, '-m', 'claude-3.5'], { env: cleanEnv({ OPENAI_API_KEY: 'sk-test' }) });
    expect(model.code).toBe(1);
    expect(model.stderr).toMatch(/^rlms: Unknown model "claude-3.5" in `model`. Did you mean "anthropic:claude-3.5"\?/);
    noStack(model.stderr);

    const sandbox = await runCli(['ask', 'q', '-c', project, '--sandbox', 'firecracker', '--base-url', server.baseURL, '-m', 'test-model']);
    expect(sandbox.code).toBe(1);
    expect(sandbox.stderr.trim()).toBe(
      'rlms: Unknown sandbox "firecracker": use one of pyodide, local, docker, e2b, modal, daytona (default pyodide), or pass a SandboxProviderV1 instance.',
    );
  });

  it('a rate-limited provider: the retry is shown in progress and the run still answers', async () => {
    server.reset({ replies: scriptedRlmReplies, faults: [{ type: 'rate-limit', retryAfterMs: 5 }] });
    const run = await runCli(['ask', 'Where is login implemented?', '-c', project, '--base-url', server.baseURL, '-m', 'test-model', '--sandbox', 'local', '--mode', 'rlm']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('auth/login.py defines login');
    expect(run.stderr).toMatch(/rlms: The root model \(openai-compatible:test-model\) failed \(model 'test-model' at http:\/\/127\.0\.0\.1:\d+\/v1 is rate limited \(429\): .*\); retry 1 of 2 in 5 ms · /);
    server.reset({ replies: scriptedRlmReplies });
  });

  it('a sandbox that cannot start (no E2B key): reported at once, without waiting for the root model', async () => {
    // This server never answers: a run that waited for its root call would never end.
    const silent = await startOpenAICompatibleServer({ latencyMs: 3_600_000 });
    try {
      const run = await runCli(['ask', 'q', '-c', project, '--sandbox', 'e2b', '--mode', 'rlm', '--base-url', silent.baseURL, '-m', 'test-model'], {
        env: cleanEnv({ OPENAI_API_KEY: 'sk-test' }),
      });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toContain('No E2B API key: set the E2B_API_KEY environment variable');
      noStack(run.stderr);
    } finally {
      await silent.close();
    }
  });

  it('a missing optional package, before any context is read', async () => {
    // The folder holds nothing readable: reading it would fail, so the package error proves it was not read yet.
    const unreadable = await makeTree({ 'a.png': PNG_HEADER });
    try {
      const run = await runCli(['ask', 'q', '-c', unreadable, '-m', 'anthropic:claude-sonnet-4-5'], { env: cleanEnv({ ANTHROPIC_API_KEY: 'sk-ant-test' }) });
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe('rlms: The model "anthropic:claude-sonnet-4-5" needs the package @ai-sdk/anthropic: install it with `npm install @ai-sdk/anthropic`.');
    } finally {
      await removeTree(unreadable);
    }
  });

  it('an unreachable base URL', async () => {
    const closed = await startOpenAICompatibleServer();
    const url = closed.baseURL;
    await closed.close();
    const run = await runCli(['ask', 'q', '-c', project, '--base-url', url, '-m', 'test-model', '--sandbox', 'local']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`rlms: Cannot reach the model server at ${url} (connection refused): check --base-url and that the server is running.`);
    noStack(run.stderr);
  });

  it('an empty context, a missing path, a folder with no readable files', async () => {
    const args = ['--base-url', server.baseURL, '-m', 'test-model', '--sandbox', 'local', '-q'];
    const empty = await runCli(['ask', 'q', '-c', '-', ...args], { input: '' });
    expect(empty.code).toBe(1);
    expect(empty.stderr).toMatch(/^rlms: Standard input is empty/);

    const missing = await runCli(['ask', 'q', '-c', join(project, 'nope'), ...args]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(`rlms: No such file or folder: ${join(project, 'nope')}.`);

    const binaries = await makeTree({ 'a.png': PNG_HEADER, 'b.bin': new Uint8Array([0xff, 0xfe, 0x00, 0x01]), 'node_modules/x.js': 'x' });
    try {
      const run = await runCli(['ask', 'q', '-c', binaries, ...args]);
      expect(run.code).toBe(1);
      expect(run.stderr.trim()).toBe(`rlms: No readable text files in ${binaries} (skipped: 2 binary, 1 ignored (.gitignore, exclude patterns, .git or node_modules)).`);
    } finally {
      await removeTree(binaries);
    }

    const noQuestion = await runCli(['ask', '-c', project]);
    expect(noQuestion.code).toBe(2);
    expect(noQuestion.stderr).toContain('Run `rlms ask --help` for usage.');
  });

  it('--debug shows the stack trace', async () => {
    const run = await runCli(['ask', 'q', '-c', project, '-m', 'claude-3.5', '--debug'], { env: cleanEnv({ OPENAI_API_KEY: 'sk-test' }) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/\n\s+at /);
  });

  it('--help, ask --help, --version', async () => {
    const help = await runCli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('rlms ask "<question>" --context');
    const askHelp = await runCli(['ask', '--help']);
    expect(askHelp.stdout).toContain('--save-trajectory <file>');
    const estimateHelp = await runCli(['help', 'estimate']);
    expect(estimateHelp.stdout).toContain('Usage: rlms estimate');
    const version = await runCli(['--version']);
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version.stdout).toBe(`${pkg.version}\n`);
    const unknown = await runCli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command "frobnicate"');
  });
});
