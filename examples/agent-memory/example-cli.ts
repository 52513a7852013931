/**
 * Command-line plumbing shared by the rlms examples (the same file is in every example folder, so
 * each folder can be copied on its own): the model/sandbox flags, building the
 * `RecursiveLanguageModel`, and the closing usage line.
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
 */
import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { RecursiveLanguageModel, type QueryResult, type RecursiveLanguageModelSettings } from 'rlms';

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

/** Parses `process.argv` with the common flags plus the example's own; prints `help` and exits on `--help`. */
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

/** Parses a positive number flag, or throws a `UsageError` naming it. */
export function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`--${flag} must be a positive number, got "${value}".`);
  return number;
}

/**
 * Builds the `RecursiveLanguageModel` the flags describe. `defaults` are the example's own
 * settings (budgets, depth, sandbox…); flags override them. Throws `UsageError` for invalid flags
 * and `MissingApiKeyError` (from rlms) when neither OPENAI_API_KEY nor --base-url is given.
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

/** What the usage line and exit codes need from a result: a `QueryResult`, or a session turn's result. */
export type RunSummary = Pick<QueryResult<unknown>, 'status' | 'statusDetail' | 'error' | 'usage' | 'costUsd' | 'iterations' | 'subcalls' | 'durationMs'>;

function formatNumber(value: number): string {
  return value.toLocaleString('en-US');
}

/** One line: status, root calls, sub-calls, tokens, cost, time. */
export function usageLine(result: RunSummary): string {
  const total = result.usage.total;
  const tokens = `${formatNumber(total.totalTokens)} tokens (${formatNumber(total.inputTokens)} in / ${formatNumber(total.outputTokens)} out)`;
  let cost: string;
  if (result.costUsd === undefined) cost = 'cost unknown (no price for these models: pass --price IN/OUT)';
  else cost = `cost $${result.costUsd.toFixed(4)}${total.callsWithoutCost > 0 ? ` (+ ${total.callsWithoutCost} calls without a price)` : ''}`;
  // Errors are reported on their own line (reportFailure); limits say which one was hit.
  const status = result.statusDetail === undefined || result.status === 'error' || result.status === 'aborted' ? result.status : `${result.status} (${result.statusDetail})`;
  return `usage: ${status} · ${result.iterations} root calls, ${result.subcalls} sub-calls · ${tokens} · ${cost} · ${(result.durationMs / 1000).toFixed(1)} s`;
}

/**
 * When the run failed (status `error` or `aborted`), prints why and the usage line on stderr, sets
 * exit code 1 and returns true. Other statuses carry an answer (the best one so far for limits).
 */
export function reportFailure(result: RunSummary): boolean {
  if (result.status !== 'error' && result.status !== 'aborted') return false;
  process.stderr.write(`error: the run ended with status ${result.status}: ${result.error?.message ?? result.statusDetail ?? 'no detail'}\n${usageLine(result)}\n`);
  process.exitCode = 1;
  return true;
}

/** Exit code for a result: 0 completed, 3 stopped by a limit (best answer printed), 1 error or aborted. */
export function exitCodeOf(result: RunSummary): number {
  if (result.status === 'completed') return 0;
  if (result.status === 'max_iterations' || result.status === 'budget_exhausted' || result.status === 'timeout') return 3;
  return 1;
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
