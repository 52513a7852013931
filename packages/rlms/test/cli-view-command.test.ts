import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRLM, type Trajectory } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIEW_HELP } from '../src/cli/help.js';
import { main } from '../src/cli/main.js';
import { fakeCliIO } from './cli-fake-io.js';

/** A real run's trajectory: a scripted model answering in one step, code run in the local sandbox. */
async function savedRun(): Promise<Trajectory> {
  const sandbox = createLocalSandbox();
  try {
    const rlm = createRLM({ model: new MockModel({ replies: ['```repl\nprint(len(context))\nFINAL("three")\n```'] }), sandbox });
    const result = await rlm.query({ context: 'abc', question: 'What is in the file?' });
    expect(result.status).toBe('completed');
    return result.trajectory;
  } finally {
    await sandbox.close?.();
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rlms-view-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rlms view (in-process)', () => {
  it('writes run.html next to run.json, or to --out, and prints its path', async () => {
    const path = join(dir, 'run.json');
    await writeFile(path, JSON.stringify(await savedRun()));
    const fake = fakeCliIO();
    expect(await main(['view', path], fake.io)).toBe(0);
    expect(fake.stdout).toBe(`${join(dir, 'run.html')}\n`);
    expect(fake.stderr).toBe('');
    expect(await readFile(join(dir, 'run.html'), 'utf8')).toContain('id="rlms-trajectory"');

    const custom = fakeCliIO();
    expect(await main(['view', path, '-o', join(dir, 'nested', 'page.html'), '--max-string', '1000'], custom.io)).toBe(0);
    expect(custom.stdout).toBe(`${join(dir, 'nested', 'page.html')}\n`);
  });

  it('explains missing files, bad JSON and non-trajectories (exit 1) and usage mistakes (exit 2)', async () => {
    await writeFile(join(dir, 'bad.json'), '{ nope');
    await writeFile(join(dir, 'other.json'), '{"hello": 1}');
    const cases: Array<[string[], number, RegExp]> = [
      [[join(dir, 'missing.json')], 1, /^rlms: No trajectory file at .*missing\.json: check the path/],
      [[join(dir, 'bad.json')], 1, /^rlms: .*bad\.json is not valid JSON/],
      [[join(dir, 'other.json')], 1, /^rlms: .*not an rlms trajectory: "runId" is missing\. Save one with/],
      [[], 2, /^rlms: Give the trajectory file to show, e.g. `rlms view run.json`\.\nRun `rlms view --help` for usage\.\n$/],
      [['a.json', 'b.json'], 2, /Give one trajectory file; got 2\./],
      [['--max-string', '5', 'a.json'], 2, /--max-string must be an integer ≥ 100; got "5"/],
      [['--bogus'], 2, /^rlms: Unknown option '--bogus' for rlms view\.\nRun `rlms view --help` for usage\.\n$/],
      [['--opne', 'a.json'], 2, /Unknown option '--opne' for rlms view: did you mean --open\?/],
    ];
    for (const [argv, code, message] of cases) {
      const fake = fakeCliIO();
      expect(await main(['view', ...argv], fake.io), argv.join(' ')).toBe(code);
      expect(fake.stderr, argv.join(' ')).toMatch(message);
      expect(fake.stdout).toBe('');
    }
    const help = fakeCliIO();
    expect(await main(['view', '--help'], help.io)).toBe(0);
    expect(help.stdout).toBe(VIEW_HELP);
    expect(VIEW_HELP).toContain('Usage: rlms view <trajectory.json>');
  });
});
