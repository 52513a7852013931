import type { SandboxProviderV1 } from '@rlms/core';
import { createOpenAIProvider } from '@rlms/openai';
import { timedRun } from '../overhead/timed-run.js';

/** One RLM implementation driven by the side-by-side benchmark. */
export interface Implementation {
  /** Stable id: `rlms-local`, `rlms-pyodide`, `ax`, `recursive-llm-ts`. */
  readonly id: string;
  /** Package and version, for reports. */
  readonly label: string;
  /** Where model code runs. */
  readonly runtime: string;
  /** Answers `question` over `context`. Throws when the implementation fails. */
  run(question: string, context: string): Promise<string>;
  /** rlms only: where the last run's time went (session setup per run, engine + sandbox per root iteration), ms. */
  lastBreakdown?(): { readonly setupMs: number; readonly overheadPerIterationMs: readonly number[] } | undefined;
  close(): Promise<void>;
}

/** An implementation that could not be set up, and why. */
export interface UnavailableImplementation {
  readonly id: string;
  readonly reason: string;
}

/** rlms itself on a given sandbox, through `@rlms/openai`. */
export function rlmsImplementation(sandboxName: string, sandbox: SandboxProviderV1, baseURL: string, concurrency: number): Implementation {
  const model = createOpenAIProvider({ model: 'bench-model', baseURL, apiKey: 'bench', maxRetries: 0 });
  let last: { setupMs: number; overheadPerIterationMs: number[] } | undefined;
  return {
    id: `rlms-${sandboxName}`,
    label: 'rlms (this repo)',
    runtime: `Python REPL, ${sandboxName} sandbox`,
    async run(question, context) {
      // createRLM with timers around the model and the sandbox (see timedRun); the timers cost microseconds.
      const timed = await timedRun({ sandbox, model, context, question, maxSubcallConcurrency: concurrency, maxIterations: 10 });
      last = { setupMs: timed.setupMs, overheadPerIterationMs: timed.iterations.map((iteration) => iteration.overheadMs) };
      const result = timed.result;
      if (result.status !== 'completed') throw new Error(`rlms ended with ${result.status}: ${result.statusDetail ?? ''}`);
      return String(result.answer);
    },
    lastBreakdown: () => last,
    close: async () => undefined,
  };
}

async function packageVersion(name: string): Promise<string> {
  try {
    const { createRequire } = await import('node:module');
    const require = createRequire(import.meta.url);
    const { readFileSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    let dir = dirname(require.resolve(name));
    for (let depth = 0; depth < 5; depth++) {
      try {
        const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
        if (manifest.name === name) return manifest.version ?? '?';
      } catch {
        // keep looking upwards
      }
      dir = dirname(dir);
    }
  } catch {
    // not resolvable
  }
  return '?';
}

/**
 * `@ax-llm/ax` AxAgent in RLM mode: a JavaScript actor in `AxJSRuntime` (worker thread), the
 * context field kept runtime-only, `llmQuery([...])` for batched sub-queries, and the responder
 * stage writing the answer. `contextPolicy: 'full'` keeps every turn replayed (short scripted task).
 */
export async function axImplementation(baseURL: string, concurrency: number): Promise<Implementation> {
  // Ax's runtime workers use Node's permission model, which prints an ExperimentalWarning per worker.
  process.env.NODE_NO_WARNINGS = '1';
  const ax = (await import('@ax-llm/ax')) as unknown as {
    ai(options: Record<string, unknown>): unknown;
    agent(signature: string, options: Record<string, unknown>): { forward(ai: unknown, values: Record<string, unknown>): Promise<Record<string, unknown>> };
  };
  const llm = ax.ai({ name: 'openai-compatible', apiKey: 'bench', apiURL: baseURL, config: { model: 'bench-model' } });
  // A fresh agent per run: one agent keeps its runtime variables and action log across forward() calls,
  // so a second run would reuse the first run's results instead of doing the work.
  const createProgram = () =>
    ax.agent('context:string, question:string -> answer:string', {
      contextFields: ['context'],
      maxTurns: 10,
      contextPolicy: { preset: 'full' },
      maxBatchedLlmQueryConcurrency: concurrency,
      // Default 3000: llmQuery contexts and logs are cut to ~3 KB, so a sub-model would see only the head of each chunk.
      maxRuntimeChars: 2_000_000,
    });
  return {
    id: 'ax',
    label: `@ax-llm/ax ${await packageVersion('@ax-llm/ax')}`,
    runtime: 'JavaScript actor, AxJSRuntime worker',
    async run(question, context) {
      const output = await createProgram().forward(llm, { context, question });
      return String(output.answer ?? '');
    },
    close: async () => undefined,
  };
}

/**
 * The prebuilt Go binary of recursive-llm-ts (`@recursive-llm/<platform>-<arch>/bin/rlm-go`), resolved
 * from the package's own location: its own lookup fails when a bundler or test runner moves the module.
 */
async function goBinaryPath(): Promise<string | undefined> {
  try {
    const { createRequire } = await import('node:module');
    const { existsSync } = await import('node:fs');
    const { dirname, join } = await import('node:path');
    const fromBench = createRequire(import.meta.url);
    const fromPackage = createRequire(fromBench.resolve('recursive-llm-ts'));
    const manifest = fromPackage.resolve(`@recursive-llm/${process.platform}-${process.arch}/package.json`);
    const binary = join(dirname(manifest), 'bin', 'rlm-go');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `recursive-llm-ts`: the Go engine (prebuilt `@recursive-llm/<platform>` binary, one process per
 * completion) with a goja JavaScript REPL; sub-queries are `recursive_llm(query, context)` child RLMs.
 */
export async function recursiveLlmTsImplementation(baseURL: string): Promise<Implementation> {
  const module = (await import('recursive-llm-ts')) as unknown as {
    RLM: new (model: string, config: Record<string, unknown>) => {
      completion(query: string, context: string): Promise<{ result: string }>;
      cleanup?(): Promise<void>;
    };
  };
  const binary = await goBinaryPath();
  // Its availability check reads only RLM_GO_BINARY (not `go_binary_path`) before its own lookup.
  if (binary !== undefined && process.env.RLM_GO_BINARY === undefined) process.env.RLM_GO_BINARY = binary;
  const rlm = new module.RLM('bench-model', {
    api_key: 'bench',
    api_base: baseURL,
    max_iterations: 10,
    max_depth: 5,
    ...(binary === undefined ? {} : { go_binary_path: binary }),
  });
  return {
    id: 'recursive-llm-ts',
    label: `recursive-llm-ts ${await packageVersion('recursive-llm-ts')}`,
    runtime: 'Go engine + goja JavaScript VM (new VM per step)',
    async run(question, context) {
      const output = await rlm.completion(question, context);
      return String(output.result ?? '');
    },
    close: async () => {
      await rlm.cleanup?.();
    },
  };
}
