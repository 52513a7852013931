import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startOpenAICompatibleServer, type OpenAICompatibleServer } from '@rlms/openai/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { settingsFromFlags } from '../src/cli/model-flags.js';
import { SANDBOX_OPTIONS_ENV } from '../src/cli/sandbox-options.js';
import { fakeCliIO } from './cli-fake-io.js';

let dir: string;
let server: OpenAICompatibleServer;

const IN_CI = Boolean(process.env['CI']) && process.env['CI'] !== 'false' && process.env['CI'] !== '0';
/** Whether a Docker engine answers (CI always has one: .ci/setup-docker.sh). */
function dockerAnswers(): boolean {
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}
const DOCKER = IN_CI || dockerAnswers();
if (!DOCKER) console.warn('[rlms] Docker case skipped: no Docker engine answers. Enable it with `sudo bash .ci/setup-docker.sh`.');
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rlms-sandbox-options-'));
  await writeFile(join(dir, 'notes.txt'), 'the answer is 42\n');
  server = await startOpenAICompatibleServer({
    // Every run asks once: the answer is the folder its sandbox runs in.
    replies: () => '```repl\nimport os\nFINAL(os.getcwd())\n```',
  });
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('sandbox settings from the command line (--sandbox-option, --sandbox-config, RLMS_SANDBOX_OPTIONS)', () => {
  it('parses KEY=VALUE as JSON when it can, layered over the config file and the environment', async () => {
    const config = join(dir, 'sandbox.json');
    await writeFile(config, JSON.stringify({ image: 'from-file', memoryMiB: 512, cpus: 1 }));
    const settings = settingsFromFlags(
      { sandbox: 'docker', 'sandbox-config': config, 'sandbox-option': ['image=registry.local/python:3.12', 'pull="never"'] },
      'ask',
      { [SANDBOX_OPTIONS_ENV]: '{"memoryMiB": 256, "pidsLimit": 32}' },
    );
    expect(settings.sandboxSettings).toEqual({ image: 'registry.local/python:3.12', memoryMiB: 512, cpus: 1, pidsLimit: 32, pull: 'never' });
  });

  it('refuses a setting the sandbox does not have, naming the ones it has', async () => {
    const fake = fakeCliIO({}, dir);
    const code = await main(['ask', 'q', '-c', 'notes.txt', '--sandbox', 'pyodide', '--sandbox-option', 'memoryLimitMB=1024'], fake.io);
    expect(code).toBe(2);
    expect(fake.stderr).toContain('The pyodide sandbox has no setting "memoryLimitMB": use memoryLimitMiB, jsHeapLimitMiB');
    expect(fake.stderr).toContain('rlms ask --help');
  });

  it('refuses malformed options and prototype keys', async () => {
    expect(() => settingsFromFlags({ 'sandbox-option': ['novalue'] }, 'ask')).toThrow(/KEY=VALUE/);
    expect(() => settingsFromFlags({}, 'ask', { [SANDBOX_OPTIONS_ENV]: '{"__proto__": {"polluted": true}}' })).toThrow(/not a sandbox setting name/);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('reaches the sandbox: --sandbox-option cwd=… sets the local sandbox working folder of a real run', async () => {
    const fake = fakeCliIO({}, dir);
    const code = await main(
      ['ask', 'Where do you run?', '-c', 'notes.txt', '--sandbox', 'local', '--sandbox-option', `cwd=${dir}`, '--mode', 'rlm', '--base-url', server.baseURL, '--model', 'test-model', '-q'],
      fake.io,
    );
    expect(code, fake.stderr).toBe(0);
    expect(fake.stdout.trim()).toBe(dir);
  });

  it('reaches the sandbox from RLMS_SANDBOX_OPTIONS and --sandbox-config, the file over the environment, a flag over both', async () => {
    const fromEnv = join(dir, 'from-env');
    const fromFile = join(dir, 'from-file');
    const fromFlag = join(dir, 'from-flag');
    for (const folder of [fromEnv, fromFile, fromFlag]) await mkdir(folder, { recursive: true });
    const config = join(dir, 'local-sandbox.json');
    await writeFile(config, JSON.stringify({ cwd: fromFile }));
    const ask = async (extra: string[]) => {
      const fake = fakeCliIO({ [SANDBOX_OPTIONS_ENV]: JSON.stringify({ cwd: fromEnv }) }, dir);
      const argv = ['ask', 'Where do you run?', '-c', 'notes.txt', '--sandbox', 'local', '--mode', 'rlm', '--base-url', server.baseURL, '--model', 'test-model', '-q', ...extra];
      const code = await main(argv, fake.io);
      expect(code, fake.stderr).toBe(0);
      return fake.stdout.trim();
    };
    expect(await ask([])).toBe(fromEnv);
    expect(await ask(['--sandbox-config', config])).toBe(fromFile);
    expect(await ask(['--sandbox-config', config, '--sandbox-option', `cwd=${fromFlag}`])).toBe(fromFlag);
  });

  it.skipIf(!DOCKER)('reaches the sandbox: --sandbox docker uses the image and pull policy given, and names a missing image at once', async () => {
    const config = join(dir, 'docker-sandbox.json');
    await writeFile(config, JSON.stringify({ image: 'rlms-no-such-image:0', memoryMiB: 256 }));
    const fake = fakeCliIO({}, dir);
    const code = await main(
      ['ask', 'q', '-c', 'notes.txt', '--sandbox', 'docker', '--sandbox-config', config, '--sandbox-option', 'pull=never', '--mode', 'rlm', '--base-url', server.baseURL, '--model', 'test-model', '-q'],
      fake.io,
    );
    expect(code).toBe(1);
    expect(fake.stderr).toContain('rlms-no-such-image:0');
  });
});
