/**
 * Security issue 19, the CLI findings, through the real `rlms` CLI and public loaders:
 * - 3: `rlms replay` of a shared trajectory that names `"sandbox": "local"` and whose code runs a
 *   shell command and writes a file: the code runs in Pyodide, nothing reaches the host, the output
 *   names the sandbox used.
 * - 8: a 200,000-line `.gitignore` over 200 files loads with work proportional to files + rules and
 *   bounded memory; `--context <fifo>` fails at once with a clear error; files named `__proto__` and
 *   `constructor` reach the model's `context` dict.
 * - 5 (CLI part): `--save-trajectory` is created 0600, with API keys and secret environment values
 *   redacted (also in `--json`).
 * The attack code is model output, served by a scripted OpenAI-compatible server.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ContextError } from '@rlms/core';
import { loadDirectory, type LoadDirectoryOptions } from 'rlms';
import { startScriptedServer } from '../src/scripted-server.ts';

const CLI = fileURLToPath(new URL('./dist/cli.js', import.meta.resolve('rlms/package.json')));

/** The host environment without API keys, plus `extra`. */
function env(extra: Record<string, string> = {}): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !/API_KEY|BASE_URL|TOKEN|SECRET/i.test(key)) clean[key] = value;
  return { ...clean, ...extra };
}

/** Runs the built CLI to its end (stdin closed at once). */
function cli(args: readonly string[], extraEnv: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: env(extraEnv), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end();
  });
}

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'rlms-security-cli-'));
  await writeFile(join(root, 'notes.md'), '# Notes\n');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('finding 3: rlms replay of a shared, hostile trajectory', () => {
  it('never takes the sandbox from the file: the shell command and file write stay in Pyodide', async () => {
    const marker = join(root, 'REPLAY-RAN-ON-HOST');
    const attack = [
      '```repl',
      'import os',
      `marker = ${JSON.stringify(marker)}`,
      'for attempt in (lambda: os.system("touch " + marker), lambda: open(marker, "w").write("pwned")):',
      '    try:',
      '        attempt()',
      '    except Exception as error:',
      '        print("blocked:", type(error).__name__)',
      'FINAL("replay finished")',
      '```',
    ].join('\n');
    const server = await startScriptedServer({ root: [attack] });
    const trajectory = join(root, 'shared-bug-report.json');
    try {
      // Recorded in Pyodide (the default), as a victim's colleague would.
      const recorded = await cli(['ask', 'Anything?', '-c', join(root, 'notes.md'), '--base-url', server.baseURL, '--model', 'test-model', '--mode', 'rlm', '--save-trajectory', trajectory]);
      expect(recorded.code, recorded.stderr).toBe(0);
    } finally {
      await server.close();
    }
    // The attacker edits the file before sharing it.
    const saved = JSON.parse(await readFile(trajectory, 'utf8')) as { sandbox: string };
    saved.sandbox = 'local';
    await writeFile(trajectory, JSON.stringify(saved));

    const replayed = await cli(['replay', trajectory]);
    expect(replayed.code, replayed.stderr).toBe(0);
    expect(replayed.stdout).toBe('replay finished\n');
    expect(replayed.stderr).toContain('replay: running the saved code in the pyodide sandbox');
    expect(replayed.stderr).toContain('the file\'s sandbox "local" is never used');
    expect(replayed.stderr).toContain('code run in the pyodide sandbox');
    expect(existsSync(marker)).toBe(false);

    const json = await cli(['replay', trajectory, '--json']);
    expect(JSON.parse(json.stdout)).toMatchObject({ sandbox: 'pyodide', matches: true, status: 'completed' });
    expect(existsSync(marker)).toBe(false);
  }, 180_000);

  it('checks the file before use: shape errors name the field, oversized files and FIFOs are refused unread', async () => {
    const bad = join(root, 'bad.json');
    await writeFile(bad, JSON.stringify({ version: 1, runId: 'x', depth: 0, question: 'q', model: 'm', subModel: 'm', sandbox: 'local', context: { metadata: {}, value: 'c' }, steps: [{ kind: 'iteration', iteration: 1, action: { response: 'x' }, subcalls: [{ op: 'shell', input: '', output: '' }] }] }));
    const shape = await cli(['replay', bad]);
    expect(shape.code).toBe(2);
    expect(shape.stderr).toContain('steps[0].subcalls[0].op must be one of llm_query, llm_query_batched, rlm_query, rlm_query_batched, tool');
    const size = await cli(['replay', bad, '--max-bytes', '64']);
    expect(size.code).toBe(2);
    expect(size.stderr).toContain('is larger than 64 bytes');
    const fifo = join(root, 'replay.fifo');
    execFileSync('mkfifo', [fifo]);
    const piped = await cli(['replay', fifo]);
    expect(piped.code).toBe(2);
    expect(piped.stderr).toContain('named pipe (FIFO)');
  }, 60_000);
});

describe('finding 8: loader abuse', () => {
  it('loads 200 files under a 200,000-line .gitignore with work proportional to files + rules', async () => {
    const folder = join(root, 'big-ignore');
    await mkdir(folder);
    const lines: string[] = [];
    for (let index = 0; index < 100_000; index++) lines.push(`generated-${index}.txt`);
    for (let index = 0; index < 100_000; index++) lines.push(`*.cache${index}`);
    await writeFile(join(folder, '.gitignore'), `${lines.join('\n')}\n`);
    for (let index = 0; index < 200; index++) await writeFile(join(folder, `doc-${index}.md`), `document ${index}\n`);
    await writeFile(join(folder, 'generated-5.txt'), 'ignored');
    await writeFile(join(folder, 'x.cache77'), 'ignored');

    let stats: Parameters<NonNullable<LoadDirectoryOptions['onStats']>>[0] | undefined;
    const heapBefore = process.memoryUsage().heapUsed;
    const documents = await loadDirectory(folder, { onStats: (value) => (stats = value) });
    const heapGrowth = process.memoryUsage().heapUsed - heapBefore;
    expect(Object.keys(documents).filter((key) => key.startsWith('doc-'))).toHaveLength(200);
    expect(documents['generated-5.txt']).toBeUndefined();
    expect(documents['x.cache77']).toBeUndefined();
    expect(stats?.ignoreRules).toBe(200_000 + 10); // plus the default secret excludes
    // Testing every rule on every path (the old way) is 200,000 × 204 ≈ 40 million pattern runs.
    // Only rules whose text occurs in a name are looked at; each is compiled at most once.
    expect(stats!.patternChecks).toBeLessThan(2_000);
    expect(stats!.patternTests).toBeLessThan(2_000);
    expect(stats!.patternsCompiled).toBeLessThan(2_000);
    expect(heapGrowth).toBeLessThan(400 * 1024 * 1024);
  }, 120_000);

  it('refuses --context naming a FIFO with a clear error and a non-zero exit, instead of hanging', async () => {
    const fifo = join(root, 'context.fifo');
    execFileSync('mkfifo', [fifo]);
    const run = await cli(['estimate', '--context', fifo]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`${fifo} is a named pipe (FIFO), not a regular file, and is not opened`);
    await expect(loadDirectory(fifo)).rejects.toSatisfy((error) => ContextError.isInstance(error));
  }, 60_000);

  it('keeps files named __proto__, constructor and toString: they reach the model\'s context dict in Pyodide', async () => {
    const folder = join(root, 'prototype-names');
    await mkdir(join(folder, 'sub'), { recursive: true });
    for (const name of ['__proto__', 'constructor', 'toString', 'sub/__proto__', 'normal.md']) await writeFile(join(folder, name), `text of ${name}`);
    const server = await startScriptedServer({ root: ['```repl\nFINAL(",".join(sorted(context.keys())) + "|" + context["__proto__"])\n```'] });
    try {
      const run = await cli(['ask', 'Which files?', '-c', folder, '--base-url', server.baseURL, '--model', 'test-model', '--mode', 'rlm']);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe('__proto__,constructor,normal.md,sub/__proto__,toString|text of __proto__\n');
    } finally {
      await server.close();
    }
  }, 180_000);
});

describe('finding 5 (CLI): files holding a run', () => {
  it('--save-trajectory is 0600 and holds no API key or secret environment value; nor does --json', async () => {
    const secret = 'svc-token-5e4d3c2b1a0f9e8d';
    const apiKey = 'llm-key-0a1b2c3d4e5f6a7b';
    const server = await startScriptedServer({ root: ['```repl\nFINAL("done")\n```'] });
    const path = join(root, 'private', 'run.json');
    try {
      const run = await cli(
        ['ask', `Look up ${secret}`, '-c', join(root, 'notes.md'), '--base-url', server.baseURL, '--model', 'test-model', '--api-key-env', 'TEAM_LLM', '--mode', 'rlm', '--save-trajectory', path, '--json'],
        { DEPLOY_TOKEN: secret, TEAM_LLM: apiKey },
      );
      expect(run.code, run.stderr).toBe(0);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect((await stat(dirname(path))).mode & 0o077).toBe(0);
      const saved = await readFile(path, 'utf8');
      for (const text of [saved, run.stdout]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(apiKey);
        expect(text).toContain('Look up [REDACTED]');
      }
    } finally {
      await server.close();
    }
  }, 180_000);
});
