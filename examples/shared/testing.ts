/**
 * Helpers of the examples' end-to-end tests: run `node index.ts …` as a user would, against the
 * local OpenAI-compatible server of `@rlms/openai/testing`, whose reply function plays a scripted
 * root model and sub-model.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  startOpenAICompatibleServer,
  type OpenAICompatibleServer,
  type OpenAICompatibleServerOptions,
  type ServerReplyFunction,
  type ServerReplyRequest,
} from '@rlms/openai/testing';

/**
 * The host environment without `OPENAI_API_KEY` and `OPENAI_BASE_URL` (an example under test must
 * run on `--base-url` alone), plus `extra`.
 */
export function exampleEnvironment(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  delete env.OPENAI_API_KEY;
  delete env.OPENAI_BASE_URL;
  return env;
}

/** Options of `runExample`. */
export interface RunExampleOptions {
  /** Variables added to `exampleEnvironment()`. Default none. */
  readonly env?: NodeJS.ProcessEnv;
  /** Kills the run (SIGKILL) and rejects when it has not exited by then, in milliseconds. Default 60,000. */
  readonly timeoutMs?: number;
  /** Written to the example's stdin, which is then closed. Default: stdin is closed at once. */
  readonly stdin?: string;
}

/** How a run of an example ended. */
export interface ExampleRun {
  /** The exit code; `null` when a signal ended the process. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function describeCommand(args: readonly string[]): string {
  return ['node index.ts', ...args].join(' ');
}

/**
 * Runs `node index.ts …args` in the example folder `dir` (a path or a `file:` URL) as a subprocess
 * with `exampleEnvironment(options.env)`. Resolves with the exit code and the whole output
 * whatever the code; rejects when the process cannot start or outlives `options.timeoutMs`.
 */
export function runExample(dir: string | URL, args: readonly string[], options: RunExampleOptions = {}): Promise<ExampleRun> {
  const cwd = dir instanceof URL ? fileURLToPath(dir) : dir;
  const timeoutMs = options.timeoutMs ?? 60_000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['index.ts', ...args], { cwd, env: exampleEnvironment(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    // The example may exit before reading its input: a closed pipe is not an error here.
    child.stdin.on('error', () => {});
    child.stdin.end(options.stdin);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) reject(new Error(`${describeCommand(args)} did not exit within ${timeoutMs} ms (killed).\nstderr:\n${stderr}`));
      else resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Options of `runScriptedExample`: those of `runExample`, and of the server and the expected exit. */
export interface RunScriptedExampleOptions extends RunExampleOptions {
  /** The `--model` flag passed to the example. Default `'scripted'`. */
  readonly model?: string;
  /** The exit code the run must end with. Default 0. */
  readonly exitCode?: number;
  /** More options of the server (`models`, `faults`…). Default none. */
  readonly server?: Omit<OpenAICompatibleServerOptions, 'replies'>;
}

/** A finished scripted run: its output, and the (closed) server with the requests it recorded. */
export interface ScriptedExampleRun extends ExampleRun {
  readonly server: OpenAICompatibleServer;
}

/**
 * Starts the local OpenAI-compatible server with `replies`, runs
 * `node index.ts --base-url <server> --model scripted …args` in `dir` (see `runExample`), and closes
 * the server. Rejects when the server recorded a failure (a reply function threw, the script ran
 * out…) or the exit code is not `options.exitCode` (default 0); the error carries the example's
 * stderr.
 */
export async function runScriptedExample(
  dir: string | URL,
  replies: ServerReplyFunction,
  args: readonly string[],
  options: RunScriptedExampleOptions = {},
): Promise<ScriptedExampleRun> {
  const { model = 'scripted', exitCode = 0, server: serverOptions = {}, ...runOptions } = options;
  const server = await startOpenAICompatibleServer({ ...serverOptions, replies });
  const fullArgs = ['--base-url', server.baseURL, '--model', model, ...args];
  let run: ExampleRun;
  try {
    run = await runExample(dir, fullArgs, runOptions);
  } finally {
    await server.close();
  }
  if (server.failures.length > 0) {
    throw new Error(`the scripted model server recorded failures during ${describeCommand(fullArgs)}:\n- ${server.failures.join('\n- ')}\nstderr:\n${run.stderr}`);
  }
  if (run.code !== exitCode) {
    throw new Error(`${describeCommand(fullArgs)} exited with ${run.code ?? run.signal}, expected ${exitCode}.\nstderr:\n${run.stderr}`);
  }
  return { ...run, server };
}

/** A fresh folder under the OS temporary directory, removed with its content on dispose. */
export interface TemporaryDirectory extends AsyncDisposable {
  readonly path: string;
}

/**
 * Creates an empty folder named `prefix` plus random characters under `os.tmpdir()`. Hold it with
 * `await using` so that it is removed (recursively) when the test's block ends, failed or not.
 */
export async function temporaryDirectory(prefix: string): Promise<TemporaryDirectory> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, [Symbol.asyncDispose]: () => rm(path, { recursive: true, force: true }) };
}

/** True for a call of the root model (its system prompt describes the REPL), false for a sub-call. */
function isRootCall(request: ServerReplyRequest): boolean {
  return request.systemPrompt?.includes('REPL') === true;
}

/** The root model's reply from a fixed script: `turns[n]` after n assistant messages. Throws when the script is used up. */
export function rootTurn(turns: readonly string[], request: ServerReplyRequest): string {
  const turn = request.messages.filter((message) => message.role === 'assistant').length;
  const text = turns[turn];
  if (text === undefined) throw new Error(`unexpected root turn ${turn + 1}`);
  return text;
}

/** The two scripted models behind an example's test server. */
export interface ScriptedModel {
  /** The root model: its turns in order (see `rootTurn`), or a function of the request. */
  readonly root: readonly string[] | ((request: ServerReplyRequest) => string);
  /** The sub-model (`llm_query` and friends): its reply to a prompt. */
  readonly subModel: (prompt: string) => string;
}

/**
 * The reply function for `startOpenAICompatibleServer`: sub-calls go to `model.subModel` with
 * their prompt, root calls to `model.root`. A root call whose last message reports a Python error
 * (`error: …`) throws, so a failing scripted solution fails the test instead of being retried.
 */
export function scriptedReply(model: ScriptedModel): ServerReplyFunction {
  return (request) => {
    if (!isRootCall(request)) return model.subModel(request.lastUserMessage ?? '');
    const last = request.lastUserMessage ?? '';
    if (/^error: /m.test(last)) throw new Error(`the scripted code failed in the sandbox:\n${last}`);
    return typeof model.root === 'function' ? model.root(request) : rootTurn(model.root, request);
  };
}
