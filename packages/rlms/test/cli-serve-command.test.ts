import { createServer, type Server } from 'node:net';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVE_HELP } from '../src/cli/help.js';
import { main } from '../src/cli/main.js';
import { API_KEYS_ENV, resolveServeFlags, SERVE_FLAGS } from '../src/cli/serve-flags.js';
import { fakeCliIO } from './cli-fake-io.js';
import { scriptedRlmReplies } from './scripted-rlm.js';

let models: OpenAICompatibleServer;
let dir: string;

beforeAll(async () => {
  models = await startOpenAICompatibleServer({ replies: scriptedRlmReplies });
  dir = await mkdtemp(join(tmpdir(), 'rlms-serve-'));
});

afterAll(async () => {
  await models?.close();
  await rm(dir, { recursive: true, force: true });
});

const DOCUMENT = `${'filler line\n'.repeat(500)}def login(user, password):\n    return check(user, password)\n`;

function chat(baseURL: string, apiKey: string | undefined, content: string): Promise<Response> {
  return fetch(`${baseURL}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(apiKey === undefined ? {} : { authorization: `Bearer ${apiKey}` }) },
    body: JSON.stringify({ model: 'my-rlm', messages: [{ role: 'user', content }] }),
  });
}

describe('rlms serve (in-process)', () => {
  it('serves with keys from --api-key-file and the environment, the server flags applied, and stops on SIGTERM', async () => {
    const keyFile = join(dir, 'keys.txt');
    await writeFile(keyFile, '# serve keys\nsk-file-key-1\n\nsk-file-key-2\n');
    const trajectoryDir = join(dir, 'trajectories');
    const fake = fakeCliIO({ [API_KEYS_ENV]: 'sk-env-key' });
    const argv = ['serve', '--port', '0', '--api-key-file', keyFile, '--max-concurrency', '3', '--max-body', '64k', '--model-name', 'my-rlm', '--trajectory-dir', trajectoryDir];
    const exit = main([...argv, '--base-url', models.baseURL, '--model', 'test-model', '--sandbox', 'local', '--mode', 'rlm', '-q'], fake.io);
    await expect.poll(() => /OpenAI base URL (\S+),/.exec(fake.stdout)?.[1], { timeout: 60_000 }).toBeDefined();
    const baseURL = /OpenAI base URL (\S+),/.exec(fake.stdout)![1]!;
    expect(fake.stdout).toContain(`model "my-rlm", 3 API key(s)`);
    // The sandbox was started (and warmed) before the server said it was listening.
    expect(fake.stderr).toMatch(/rlms serve: starting the local sandbox…\nrlms serve: local sandbox ready in \d+\.\d s\n/);
    expect(fake.stdout).not.toContain('sk-file-key');
    expect(fake.listening).toBe(true);

    for (const apiKey of ['sk-file-key-2', 'sk-env-key']) {
      const response = await chat(baseURL, apiKey, `${DOCUMENT}\n\nWhere is login defined?`);
      expect(response.status).toBe(200);
      const body = (await response.json()) as { model: string; choices: Array<{ message: { content: string } }> };
      expect(body.model).toBe('my-rlm');
      expect(body.choices[0]!.message.content).toContain('defines login');
    }
    expect((await chat(baseURL, 'sk-wrong', 'hi')).status).toBe(401);
    expect((await chat(baseURL, 'sk-env-key', 'x'.repeat(100 * 1024))).status).toBe(413); // --max-body 64k
    const health = (await (await fetch(baseURL.replace(/\/v1$/, '/health'))).json()) as { max_concurrent_runs: number };
    expect(health.max_concurrent_runs).toBe(3);
    const saved = await readdir(trajectoryDir);
    expect(saved).toHaveLength(2);
    expect(saved.every((name) => /^chatcmpl-\w+\.json$/.test(name))).toBe(true);

    fake.signal('SIGTERM');
    expect(await exit).toBe(0);
    expect(fake.stderr).toContain('rlms serve: SIGTERM received');
    expect(fake.stderr).toContain('rlms serve: stopped');
    expect(fake.listening).toBe(false);
    await expect(fetch(baseURL.replace(/\/v1$/, '/health'))).rejects.toThrow();
  }, 120_000);

  it('reports command-line mistakes with exit code 2 and a pointer to --help, before looking for a model key', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [[], {}, /needs API keys: pass --api-key-file FILE .* or pass --no-auth/],
      [['--no-auth'], { [API_KEYS_ENV]: 'k' }, /--no-auth conflicts/],
      [['--no-auth', '--port', 'abc'], {}, /--port must be an integer/],
      [['--no-auth', '--port', '70000'], {}, /--port must be at most 65535/],
      [['--no-auth', '--max-body', 'lots'], {}, /--max-body must be a size/],
      [['--no-auth', '--body-timeout', '0s'], {}, /--body-timeout must be at least 1ms/],
      [['--no-auth', '--model-name', ' '], {}, /--model-name must not be empty/],
      [['--no-auth', '--mode', 'fast'], {}, /--mode must be auto, rlm or direct/],
      [['--no-auth', '--max-iterations', '0'], {}, /--max-iterations must be an integer ≥ 1/],
      [['--no-auth', '--bogus'], {}, /Unknown option '--bogus' for rlms serve/],
      [['--no-auth', 'extra'], {}, /Unexpected argument "extra": rlms serve takes options only/],
      [['--no-auth', '--port'], {}, /Option -p, --port needs a value/],
      [['--api-key-file', join(dir, 'missing.txt')], {}, /cannot read .*missing\.txt \(ENOENT\)/],
    ];
    for (const [argv, env, message] of cases) {
      const fake = fakeCliIO(env);
      expect(await main(['serve', ...argv], fake.io), argv.join(' ')).toBe(2);
      expect(fake.stderr, argv.join(' ')).toMatch(message);
      expect(fake.stderr).toContain('Run `rlms serve --help` for usage.');
      expect(fake.stderr).not.toMatch(/API key:/);
    }
  });

  it('checks the sandbox name before the model key, and names the key to set when it is missing', async () => {
    const sandbox = fakeCliIO();
    expect(await main(['serve', '--no-auth', '--sandbox', 'firecracker'], sandbox.io)).toBe(1);
    expect(sandbox.stderr.trim()).toBe('rlms: Unknown sandbox "firecracker": use one of pyodide, local, docker, e2b, modal, daytona (default pyodide), or pass a SandboxProviderV1 instance.');

    const keyless = fakeCliIO();
    expect(await main(['serve', '--no-auth'], keyless.io)).toBe(1);
    expect(keyless.stderr.trim()).toBe(
      'rlms: No OpenAI API key: set the OPENAI_API_KEY environment variable (or name another variable with --api-key-env), or point --base-url at a local OpenAI-compatible server.',
    );

    const keyEnv = fakeCliIO();
    expect(await main(['serve', '--no-auth', '--api-key-env', 'MY_LLM_KEY'], keyEnv.io)).toBe(1);
    expect(keyEnv.stderr).toContain('The environment variable MY_LLM_KEY (from --api-key-env) is not set');
  });

  it('exits 1 with what to do when the model server is unreachable or the port is taken', async () => {
    const closed = await startOpenAICompatibleServer();
    const url = closed.baseURL;
    await closed.close();
    const unreachable = fakeCliIO();
    expect(await main(['serve', '--no-auth', '--port', '0', '--base-url', url, '--model', 'test-model', '--sandbox', 'local'], unreachable.io)).toBe(1);
    expect(unreachable.stderr).toContain(`rlms: Cannot reach the model server at ${url} (connection refused)`);

    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const busy = fakeCliIO();
      expect(await main(['serve', '--no-auth', '--port', String(port), '--base-url', models.baseURL, '--model', 'test-model', '--sandbox', 'local'], busy.io)).toBe(1);
      expect(busy.stderr).toMatch(new RegExp(`rlms: Cannot listen on 127\\.0\\.0\\.1:${port} \\(.*EADDRINUSE.*\\): the port is taken; pick another with --port\\.`));
      expect(busy.stdout).toBe('');
      expect(busy.listening).toBe(false);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });

  it('lists every flag it reads in --help: the server flags and the model and sandbox flags shared with ask', async () => {
    const help = fakeCliIO();
    expect(await main(['serve', '--help'], help.io)).toBe(0);
    expect(help.stdout).toBe(SERVE_HELP);
    for (const name of Object.keys(SERVE_FLAGS)) expect(SERVE_HELP, name).toContain(`--${name}`);
    for (const name of ['--model <name>', '--sandbox <name>', '--base-url <url>', '--max-cost <usd>', '--max-body <size>', '--schema-timeout <dur>']) {
      expect(SERVE_HELP).toContain(name);
    }
    const topic = fakeCliIO();
    expect(await main(['help', 'serve'], topic.io)).toBe(0);
    expect(topic.stdout).toBe(SERVE_HELP);
  });

  it('parses the hardening flags: body and header timeouts, schema limits, sizes with units', async () => {
    const flags = await resolveServeFlags(
      {
        'no-auth': true,
        'max-body': '2m',
        'body-timeout': '90s',
        'headers-timeout': '500ms',
        'max-schema-size': '128k',
        'max-schema-depth': '16',
        'max-schema-subschemas': '2000',
        'schema-timeout': '2s',
        'shutdown-grace': '0',
      },
      {},
    );
    expect(flags).toMatchObject({ port: 8080, host: '127.0.0.1', quiet: false });
    expect(flags.server).toEqual({
      apiKeys: 'none',
      maxBodyBytes: 2 * 1024 * 1024,
      bodyTimeoutMs: 90_000,
      headersTimeoutMs: 500,
      maxSchemaBytes: 128 * 1024,
      maxSchemaDepth: 16,
      maxSchemaSubschemas: 2_000,
      schemaValidationTimeoutMs: 2_000,
      shutdownGraceMs: 0,
    });
    await expect(resolveServeFlags({ 'no-auth': true, 'headers-timeout': 'soon' }, {})).rejects.toThrow(/--headers-timeout must be a duration/);
    await expect(resolveServeFlags({ 'no-auth': true, 'max-schema-depth': '0' }, {})).rejects.toThrow(/--max-schema-depth must be an integer ≥ 1/);
    const keyed = await resolveServeFlags({}, { [API_KEYS_ENV]: ' sk-a , sk-b,sk-a ' });
    expect(keyed.server.apiKeys).toEqual(['sk-a', 'sk-b']);
  });
});
