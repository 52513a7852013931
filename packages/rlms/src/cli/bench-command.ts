import { ConfigurationError } from '@rlms/core';
import type { CliIO } from './cli-io.js';

/**
 * What `rlms bench` says in the published CLI. The benchmarks are not published: they run from a
 * checkout, where the repository's own `./rlms` script (and `pnpm bench`) routes `bench` to the
 * benchmark CLI (`bench/dist/cli.js`) before this command is reached.
 */
export const BENCH_UNAVAILABLE =
  '`rlms bench` is not part of the published package: the benchmarks live in the rlms source repository. ' +
  'In a clone of it, run `./rlms bench` (or `pnpm bench`); `./rlms bench --help` lists the options.';

/** Help of `rlms bench` in the published CLI: where the benchmarks are and how to run them. */
export const BENCH_HELP = `Usage (in a clone of the rlms repository): ./rlms bench [--full] [--only sections] [--sandboxes local,pyodide,docker]
                                           ./rlms bench suite --suite s-niah|oolong|oolong-pairs|codeqa --model <name> [...]

The benchmarks (engine overhead and scale per sandbox, side by side with other TypeScript RLM
implementations, and the long-context task suites against any model) live in the rlms source
repository, not in this package. In a clone, \`./rlms bench\` (or \`pnpm bench\`) runs them and writes
bench/RESULTS.md; \`./rlms bench --help\` there lists every option.
`;

/**
 * `rlms bench` in the published CLI: prints {@link BENCH_HELP} for `--help`, else fails with a
 * `ConfigurationError` (`code: 'bench-unavailable'`) saying where the benchmarks are.
 */
export async function runBench(argv: readonly string[], io: CliIO): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(BENCH_HELP);
    return 0;
  }
  throw new ConfigurationError(BENCH_UNAVAILABLE, { code: 'bench-unavailable' });
}
