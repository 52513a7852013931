/**
 * Command-line plumbing shared by the rlms use-case examples: the model/sandbox flags, their help
 * lines, building the `RecursiveLanguageModel`, and how errors end the program.
 *
 *   --base-url URL      an OpenAI-compatible server (vLLM, SGLang, Ollama, llama.cpp…); no OPENAI_API_KEY needed
 *   --model M           root model (default gpt-4o; required with --base-url)
 *   --sub-model M       model behind llm_query (default gpt-4o-mini with OpenAI, else --model)
 *   --sandbox S         pyodide (default) | local | docker | e2b | modal | daytona
 *   --api-key-env NAME  variable holding the key of a --base-url server that wants one
 *   --max-cost USD      stop the run (best answer so far) when its known cost reaches this
 *   --max-iterations N  root model turns (default 30)
 *   --price IN/OUT      USD per million input/output tokens for models without a known price
 *   --save-trajectory F write the run's trajectory JSON to F
 *   --quiet             no live trace on stderr
 *
 * Exit codes: 0 answered, 1 failed, 2 bad usage or setup (`EXIT_USAGE`), 3 stopped by a limit
 * (see `exitCodeOf` in print-result.ts).
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { RecursiveLanguageModel, type RecursiveLanguageModelSettings } from 'rlms';

/** Flags every example accepts. */
export const COMMON_OPTIONS = {
  'base-url': { type: 'string' },
  model: { type: 'string' },
  'sub-model': { type: 'string' },
  sandbox: { type: 'string' },
  'api-key-env': { type: 'string' },
  'max-cost': { type: 'string' },
  'max-iterations': { type: 'string' },
  price: { type: 'string' },
  'save-trajectory': { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsOptionsConfig;

/** Exit code for bad usage (unknown flag, invalid value, missing key). */
export const EXIT_USAGE = 2;

/** A command-line mistake: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type ExampleConfig<T extends ParseArgsOptionsConfig> = { options: typeof COMMON_OPTIONS & T; strict: true; allowPositionals: false };

/** The parsed flags: the common ones and the example's own, typed. */
export type ExampleArgs<T extends ParseArgsOptionsConfig> = ReturnType<typeof parseArgs<ExampleConfig<T>>>['values'];

/**
 * Parses `process.argv` with the common flags plus the example's own (`extra`). On `--help` it
 * prints `help` (trimmed) and exits 0; on an unknown flag or a bad value it prints the problem and
 * exits 2.
 */
export function parseExampleArgs<const T extends ParseArgsOptionsConfig>(extra: T, help: string): ExampleArgs<T> {
  let values: ExampleArgs<T>;
  try {
    const config: ExampleConfig<T> = { options: { ...COMMON_OPTIONS, ...extra }, strict: true, allowPositionals: false };
    values = parseArgs(config).values;
  } catch (error) {
    fail(new UsageError(`${(error as Error).message}. Run with --help for the options.`));
  }
  if ((values as { help?: boolean }).help === true) {
    process.stdout.write(`${help.trim()}\n`);
    process.exit(0);
  }
  return values;
}

/** How an example's `--help` describes the common flags (see `commonHelp`). */
export interface CommonHelpOptions {
  /**
   * The `--sandbox S` line's description, or `false` to leave the line out (an example that lists
   * its sandbox flags itself). Default `'pyodide (default) | local | docker'`.
   */
  readonly sandbox?: string | false;
  /** The `--max-cost USD` line's description. Default `'budget of the whole run; --max-iterations N root turns (default 20)'`. */
  readonly budget?: string;
  /** Whether to describe `--save-trajectory F` (with `--quiet` on the same line). Default `true`. */
  readonly saveTrajectory?: boolean;
}

/**
 * The help lines of the common flags (no trailing newline), for an example's `--help` text:
 * `--base-url`, `--model`, `--sub-model`, `--sandbox`, `--max-cost`/`--max-iterations`, `--price`,
 * `--api-key-env`, `--save-trajectory`/`--quiet`.
 */
export function commonHelp(options: CommonHelpOptions = {}): string {
  const sandbox = options.sandbox ?? 'pyodide (default) | local | docker';
  return [
    '  --base-url URL      OpenAI-compatible server (no OPENAI_API_KEY needed); requires --model',
    '  --model M           root model (default gpt-4o)',
    '  --sub-model M       model behind llm_query (default gpt-4o-mini with OpenAI, else --model)',
    ...(sandbox === false ? [] : [`  --sandbox S         ${sandbox}`]),
    `  --max-cost USD      ${options.budget ?? 'budget of the whole run; --max-iterations N root turns (default 20)'}`,
    '  --price IN/OUT      USD per million tokens, for models without a known price',
    '  --api-key-env NAME  variable holding the key of a --base-url server',
    options.saveTrajectory === false ? '  --quiet             no live trace' : '  --save-trajectory F trajectory JSON for debugging; --quiet: no live trace',
  ].join('\n');
}

/** The common flags as parsed. */
export interface CommonArgs {
  readonly 'base-url'?: string | undefined;
  readonly model?: string | undefined;
  readonly 'sub-model'?: string | undefined;
  readonly sandbox?: string | undefined;
  readonly 'api-key-env'?: string | undefined;
  readonly 'max-cost'?: string | undefined;
  readonly 'max-iterations'?: string | undefined;
  readonly price?: string | undefined;
  readonly quiet?: boolean | undefined;
}

/** Parses a positive number flag (`flag` without its dashes), or throws a `UsageError` naming it. `undefined` stays `undefined`. */
export function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${flag} must be a positive number, got "${value}".`);
  return number;
}

/**
 * Builds the `RecursiveLanguageModel` the flags describe, always in `mode: 'rlm'`. `defaults` are
 * the example's own settings (budgets, depth, sandbox…); flags override them. Does no I/O. Throws
 * `UsageError` for invalid flags and `MissingApiKeyError` (from rlms) when neither OPENAI_API_KEY
 * nor --base-url is given.
 */
export function createExampleRLM(args: CommonArgs, defaults: Partial<RecursiveLanguageModelSettings> = {}): RecursiveLanguageModel {
  const baseURL = args['base-url'];
  if (baseURL !== undefined && args.model === undefined) {
    throw new UsageError('--base-url needs --model: the model id as that server knows it (e.g. --model Qwen/Qwen3-8B).');
  }
  const model = args.model ?? 'gpt-4o';
  const subModel = args['sub-model'] ?? (baseURL === undefined && args.model === undefined ? 'gpt-4o-mini' : model);
  const keyVariable = args['api-key-env'];
  const apiKey = keyVariable === undefined ? undefined : process.env[keyVariable];
  if (keyVariable !== undefined && apiKey === undefined) throw new UsageError(`--api-key-env ${keyVariable}: that environment variable is not set.`);
  const maxCostUsd = positiveNumber(args['max-cost'], 'max-cost');
  const maxIterations = positiveNumber(args['max-iterations'], 'max-iterations');
  let pricing: RecursiveLanguageModelSettings['pricing'];
  if (args.price !== undefined) {
    const [input, output] = args.price.split('/').map(Number);
    if (!(input !== undefined && output !== undefined && input >= 0 && output >= 0)) {
      throw new UsageError(`--price must be INPUT/OUTPUT in US dollars per million tokens, e.g. 0.15/0.6; got "${args.price}".`);
    }
    const price = { inputPerMillion: input, outputPerMillion: output };
    pricing = { [model]: price, [subModel]: price };
  }
  return new RecursiveLanguageModel({
    mode: 'rlm',
    ...defaults,
    model,
    subModel,
    verbose: args.quiet !== true,
    ...(baseURL === undefined ? {} : { baseURL }),
    ...(apiKey === undefined ? {} : { apiKey }),
    ...(args.sandbox === undefined ? {} : { sandbox: args.sandbox as NonNullable<RecursiveLanguageModelSettings['sandbox']> }),
    ...(maxCostUsd === undefined ? {} : { maxCostUsd }),
    ...(maxIterations === undefined ? {} : { maxIterations: Math.floor(maxIterations) }),
    ...(pricing === undefined ? {} : { pricing }),
  });
}

/**
 * The trajectory file of one of several runs: `--save-trajectory run.json` becomes `run.<part>.json`
 * (`run.turn-2.json`, `run.docker.json`), so examples that run more than one query save each.
 */
export function trajectoryPathFor(path: string, part: string): string {
  return path.endsWith('.json') ? `${path.slice(0, -'.json'.length)}.${part}.json` : `${path}.${part}.json`;
}

/** Prints an error as one line on stderr and exits: 2 for usage, configuration and input mistakes, 1 otherwise. */
export function fail(error: unknown): never {
  const message = error instanceof Error ? error.message : String(error);
  const missingKey = (error as { code?: unknown } | undefined)?.code === 'missing-api-key';
  process.stderr.write(`error: ${message}${missingKey ? '\n       Or run against any OpenAI-compatible server: --base-url URL --model M.' : ''}\n`);
  // rlms errors keep their class in `name` (MissingApiKeyError and MissingPackageError are ConfigurationErrors).
  const name = error instanceof Error ? error.name : '';
  process.exit(name === 'UsageError' || name === 'ConfigurationError' || name === 'ContextError' ? EXIT_USAGE : 1);
}
