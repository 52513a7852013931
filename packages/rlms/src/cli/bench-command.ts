import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '@rlms/core';
import type { CliIO } from './cli-io.js';

/** The benchmark CLI of a repository checkout: `<repo>/bench/dist/cli.js` seen from `packages/rlms/dist/cli/`. */
const BENCH_CLI = fileURLToPath(new URL('../../../../bench/dist/cli.js', import.meta.url));

export const BENCH_HELP = `Usage: rlms bench [--full] [--only sections] [--sandboxes local,pyodide,docker] [--latency ms]
       rlms bench suite --suite s-niah|oolong|oolong-pairs|codeqa --model <name> [--base-url <url>] [...]

Runs the benchmarks of a checkout of the rlms repository (they are not published with the package):
engine overhead and scale per sandbox, side by side with other TypeScript RLM implementations, and
the long-context task suites against any model. Writes bench/RESULTS.md. \`rlms bench --help\` in a
checkout lists every option.
`;

/** `rlms bench`: runs the repository's benchmark CLI with the same arguments. Returns its exit code. */
export async function runBench(argv: readonly string[], io: CliIO): Promise<number> {
  if (!existsSync(BENCH_CLI)) {
    if (argv.includes('--help') || argv.includes('-h')) {
      io.stdout.write(BENCH_HELP);
      return 0;
    }
    throw new ConfigurationError(
      'rlms bench runs from a checkout of the rlms repository, where the benchmarks live: clone it, then run `./rlms bench` (or `pnpm bench`) there.',
      { code: 'bench-unavailable' },
    );
  }
  const child = spawn(process.execPath, ['--expose-gc', BENCH_CLI, ...argv], { stdio: 'inherit', env: io.env as NodeJS.ProcessEnv });
  const stop = io.onSignal((signal) => child.kill(signal));
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => resolve(code ?? (signal === 'SIGINT' ? 130 : 1)));
    });
  } finally {
    stop();
  }
}
