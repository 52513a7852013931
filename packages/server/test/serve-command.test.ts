import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRLM, type RLM } from '@rlms/core';
import { MockModel, trackSandbox } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEYS_ENV, runServeCommand, type ListeningRLMServer, type ServeCommandIO, type ServeFlags } from '../src/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rlms-serve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function fakeIO(env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  let handler: ((signal: 'SIGINT' | 'SIGTERM') => void) | undefined;
  const io: ServeCommandIO = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env,
    onSignal: (registered) => {
      handler = registered;
      return () => (handler = undefined);
    },
  };
  return {
    io,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    signal: (name: 'SIGINT' | 'SIGTERM') => handler!(name),
    get listening() {
      return handler !== undefined;
    },
  };
}

const unusedBuild = (): RLM => {
  throw new Error('buildRLM must not be called for a usage error');
};

describe('runServeCommand', () => {
  it('serves with keys from --api-key-file, passes extra flags to buildRLM, and stops on SIGTERM', async () => {
    const keyFile = join(dir, 'keys.txt');
    await writeFile(keyFile, '# serve keys\nsk-file-key-1\n\nsk-file-key-2\n');
    const trajectoryDir = join(dir, 'trajectories');
    const sandbox = trackSandbox(createLocalSandbox());
    const model = new MockModel({ replies: () => '```repl\nFINAL("served")\n```' });
    const fake = fakeIO({ [API_KEYS_ENV]: 'sk-env-key' });
    let seen: ServeFlags | undefined;
    let listening: ListeningRLMServer | undefined;
    const exit = runServeCommand(
      ['--port', '0', '--api-key-file', keyFile, '--max-concurrency', '3', '--max-body', '2m', '--model-name', 'my-rlm', '--trajectory-dir', trajectoryDir, '--model', 'mock:x'],
      {
        options: { model: { type: 'string' } },
        buildRLM: (flags) => {
          seen = flags;
          return createRLM({ model, sandbox });
        },
        io: fake.io,
        onListening: (server) => (listening = server),
      },
    );
    await expect.poll(() => listening !== undefined && fake.listening).toBe(true);
    expect(seen).toMatchObject({ port: 0, host: '127.0.0.1', maxConcurrentRuns: 3, maxBodyBytes: 2 * 1024 * 1024, modelName: 'my-rlm' });
    expect(seen!.apiKeys).toEqual(['sk-file-key-1', 'sk-file-key-2', 'sk-env-key']);
    expect(seen!.values.model).toBe('mock:x');
    expect(fake.stdout).toContain(`OpenAI base URL ${listening!.baseURL}, model "my-rlm", 3 API key(s)`);
    expect(fake.stdout).not.toContain('sk-file-key');

    for (const apiKey of ['sk-file-key-2', 'sk-env-key']) {
      const client = new OpenAI({ baseURL: listening!.baseURL, apiKey, maxRetries: 0 });
      const completion = await client.chat.completions.create({ model: 'my-rlm', messages: [{ role: 'user', content: 'go' }] });
      expect(completion.choices[0]!.message.content).toBe('served');
    }
    const saved = await readdir(trajectoryDir);
    expect(saved).toHaveLength(2);
    expect(saved.every((name) => /^chatcmpl-\w+\.json$/.test(name))).toBe(true);

    fake.signal('SIGTERM');
    expect(await exit).toBe(0);
    expect(fake.stderr).toContain('SIGTERM received');
    expect(fake.stderr).toContain('POST /v1/chat/completions 200');
    expect(fake.stderr).not.toMatch(/sk-(file|env)-key/);
    expect(sandbox.live).toBe(0);
    await expect(fetch(`${listening!.url}/health`)).rejects.toThrow();
  });

  it('refuses to start without keys unless --no-auth is explicit, and reports usage mistakes', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [[], {}, /needs API keys: pass --api-key-file FILE .* or pass --no-auth/],
      [['--no-auth'], { [API_KEYS_ENV]: 'k' }, /--no-auth conflicts/],
      [['--no-auth', '--port', 'abc'], {}, /--port must be an integer/],
      [['--no-auth', '--max-body', 'lots'], {}, /--max-body must be a size/],
      [['--no-auth', '--bogus'], {}, /Unknown option '--bogus'/],
      [['--api-key-file', join(dir, 'missing.txt')], {}, /cannot read .*missing\.txt \(ENOENT\)/],
    ];
    for (const [argv, env, message] of cases) {
      const fake = fakeIO(env);
      expect(await runServeCommand(argv, { buildRLM: unusedBuild, io: fake.io }), argv.join(' ')).toBe(2);
      expect(fake.stderr, argv.join(' ')).toMatch(message);
      expect(fake.stderr).toContain('rlms serve --help');
    }
  });

  it('prints help, and exits 1 when the RLM cannot be built', async () => {
    const help = fakeIO();
    expect(await runServeCommand(['--help'], { buildRLM: unusedBuild, io: help.io })).toBe(0);
    expect(help.stdout).toContain('--api-key-file');
    const failing = fakeIO();
    const code = await runServeCommand(['--no-auth'], {
      buildRLM: () => {
        throw new Error('OPENAI_API_KEY is not set');
      },
      io: failing.io,
    });
    expect(code).toBe(1);
    expect(failing.stderr).toContain('could not set up the RLM: OPENAI_API_KEY is not set');
  });
});
