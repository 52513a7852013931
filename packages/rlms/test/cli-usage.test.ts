import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { makeTree, removeTree } from './cli-helpers.js';
import { fakeCliIO } from './cli-fake-io.js';

let project: string;
beforeAll(async () => {
  project = await makeTree({ 'auth/login.py': 'def login(user, password):\n    return True\n' });
});
afterAll(async () => {
  await removeTree(project);
});

/** Runs `rlms ...argv` in-process with `env` as the whole environment (no API key unless given). */
async function rlms(argv: string[], env: Record<string, string> = {}) {
  const fake = fakeCliIO(env, project);
  const code = await main(argv, fake.io);
  return { code, stdout: fake.stdout, stderr: fake.stderr };
}

describe('command-line mistakes, for every command', () => {
  const commands: Array<[string, string[]]> = [
    ['ask', ['ask', 'q', '-c', '.']],
    ['estimate', ['estimate', '-c', '.']],
    ['replay', ['replay', 'run.json']],
    ['serve', ['serve', '--no-auth']],
    ['view', ['view', 'run.json']],
  ];

  for (const [command, argv] of commands) {
    it(`rlms ${command}: an unknown option is named, with a pointer to \`rlms ${command} --help\``, async () => {
      const run = await rlms([...argv, '--bogus']);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(`rlms: Unknown option '--bogus' for rlms ${command}.\nRun \`rlms ${command} --help\` for usage.\n`);
      // Not Node's raw parseArgs message.
      expect(run.stderr).not.toMatch(/positional argument|TypeError|ERR_PARSE_ARGS/);
    });
  }

  it('suggests the option meant, explains short options, missing values and values given to switches', async () => {
    expect((await rlms(['ask', 'q', '-c', '.', '--max-iteration', '3'])).stderr).toContain("Unknown option '--max-iteration' for rlms ask: did you mean --max-iterations?");
    expect((await rlms(['serve', '--no-auth', '--max-bodyy', '1m'])).stderr).toContain("Unknown option '--max-bodyy' for rlms serve: did you mean --max-body?");
    expect((await rlms(['estimate', '-c', '.', '--jsn'])).stderr).toContain("Unknown option '--jsn' for rlms estimate: did you mean --json?");
    expect((await rlms(['ask', 'q', '-c', '.', '-x'])).stderr).toContain(
      `Unknown option '-x' for rlms ask (to pass a value starting with "-", write it as --option=-value).`,
    );
    const missing = await rlms(['ask', 'q', '-c']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('rlms: Option -c, --context needs a value, e.g. -c <value>.\nRun `rlms ask --help` for usage.\n');
    const dashed = await rlms(['ask', 'q', '-c', '.', '--model', '-gpt']);
    expect(dashed.stderr).toContain('Option -m, --model needs a value, but "-gpt" follows it; to pass a value starting with "-", write --model=-gpt.');
    const switched = await rlms(['serve', '--no-auth=yes']);
    expect(switched.code).toBe(2);
    expect(switched.stderr).toContain('Option --no-auth takes no value; got "--no-auth=yes".');
  });

  it('an option before the command, or an unknown command, points at `rlms --help`', async () => {
    const option = await rlms(['--bogus', 'ask']);
    expect(option.code).toBe(2);
    expect(option.stderr).toBe(
      "rlms: Unknown option '--bogus': options go after the command (rlms <command> [options]); the commands are ask, estimate, replay, serve, view.\nRun `rlms --help` for usage.\n",
    );
    const command = await rlms(['frobnicate']);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('Unknown command "frobnicate"');
    expect(command.stderr).toContain('Run `rlms --help` for usage.');
    const topic = await rlms(['help', 'constructor']);
    expect(topic.code).toBe(0);
    expect(topic.stdout).toContain('Usage:');
  });
});

describe('rlms ask checks the user\'s input before the API key', () => {
  it('a missing path, an unknown sandbox, no --context and a bad flag value come before a missing key', async () => {
    const path = join(project, 'nope');
    const missing = await rlms(['ask', 'q', '-c', path]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`rlms: No such file or folder: ${path}.\n`);

    const sandbox = await rlms(['ask', 'q', '-c', '.', '--sandbox', 'firecracker']);
    expect(sandbox.code).toBe(1);
    expect(sandbox.stderr).toMatch(/^rlms: Unknown sandbox "firecracker"/);

    const noContext = await rlms(['ask', 'q']);
    expect(noContext.code).toBe(2);
    expect(noContext.stderr).toMatch(/^rlms: No --context given/);

    const badValue = await rlms(['ask', 'q', '-c', '.', '--max-file-bytes', 'lots']);
    expect(badValue.code).toBe(2);
    expect(badValue.stderr).toMatch(/^rlms: --max-file-bytes must be an integer/);

    const keyEnv = await rlms(['ask', 'q', '-c', path, '--api-key-env', 'MY_LLM_KEY']);
    expect(keyEnv.stderr).toBe(`rlms: No such file or folder: ${path}.\n`);
  });

  it('then reports the missing key, naming what to set', async () => {
    const keyless = await rlms(['ask', 'q', '-c', 'auth']);
    expect(keyless.code).toBe(1);
    expect(keyless.stderr).toBe(
      'rlms: No OpenAI API key: set the OPENAI_API_KEY environment variable (or name another variable with --api-key-env), or point --base-url at a local OpenAI-compatible server.\n',
    );
    const keyEnv = await rlms(['ask', 'q', '-c', 'auth', '--api-key-env', 'MY_LLM_KEY']);
    expect(keyEnv.code).toBe(1);
    expect(keyEnv.stderr).toBe('rlms: The environment variable MY_LLM_KEY (from --api-key-env) is not set: set it to the API key, or drop --api-key-env.\n');
  });
});
