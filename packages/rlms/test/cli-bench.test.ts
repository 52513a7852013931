import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BENCH_HELP, BENCH_UNAVAILABLE } from '../src/cli/bench-command.js';
import { MAIN_HELP } from '../src/cli/help.js';
import { main } from '../src/cli/main.js';
import { cleanEnv, runCli } from './cli-helpers.js';
import { fakeCliIO } from './cli-fake-io.js';

const REPO_RLMS_SCRIPT = fileURLToPath(new URL('../../../rlms', import.meta.url));
const BENCH_CLI = fileURLToPath(new URL('../../../bench/dist/cli.js', import.meta.url));

describe('rlms bench in the published CLI (issue 21.11: the benchmarks are not published)', () => {
  it('is not offered: neither in --help nor among the commands an unknown one is told about', async () => {
    expect(MAIN_HELP).not.toMatch(/\bbench\b/);
    const unknown = fakeCliIO();
    expect(await main(['frobnicate'], unknown.io)).toBe(2);
    expect(unknown.stderr).not.toMatch(/\bbench\b/);
  });

  it('says where the benchmarks live and how to run them, and exits 1', async () => {
    const fake = fakeCliIO();
    expect(await main(['bench', '--full'], fake.io)).toBe(1);
    expect(fake.stdout).toBe('');
    expect(fake.stderr).toBe(`rlms: ${BENCH_UNAVAILABLE}\n`);
    expect(fake.stderr).toContain('the benchmarks live in the rlms source repository');
    expect(fake.stderr).toContain('./rlms bench');
    expect(fake.stderr).toContain('pnpm bench');
  });

  it('explains the same in `rlms bench --help` and `rlms help bench`', async () => {
    for (const argv of [['bench', '--help'], ['help', 'bench']]) {
      const fake = fakeCliIO();
      expect(await main(argv, fake.io), argv.join(' ')).toBe(0);
      expect(fake.stdout).toBe(BENCH_HELP);
    }
    expect(BENCH_HELP).toContain('in a clone of the rlms repository');
    expect(BENCH_HELP).toContain('./rlms bench --help');
  });

  it('the built CLI does not reach into a checkout either: even here it gives the same error', async () => {
    const run = await runCli(['bench']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`rlms: ${BENCH_UNAVAILABLE}\n`);
  });
});

describe("the repository's ./rlms script", () => {
  it('routes `./rlms bench …` to the benchmark CLI of the checkout', async () => {
    expect(existsSync(BENCH_CLI), `${BENCH_CLI} is missing: build the workspace first (pnpm turbo run build; scripts/test.sh does)`).toBe(true);
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('bash', [REPO_RLMS_SCRIPT, 'bench', '--help'], { env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
      child.once('error', reject);
      child.once('close', (code) => resolve({ code, stdout, stderr }));
    });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('rlms-bench');
    expect(run.stdout).toContain('--full');
  });
});
