import { ConfigurationError, writePrivateFile, type RLMEvent } from '@rlms/core';
import { formatDuration, formatInteger, formatUsd, plural } from '../progress/format.js';
import { ProgressReporter } from '../progress/progress-reporter.js';
import type { QueryResult, RecursiveLanguageModelSettings } from '../recursive-language-model-settings.js';
import type { CliIO } from './cli-io.js';
import { CONTEXT_FLAGS, checkContextFlags, loadContextFlags } from './context-flags.js';
import { MODEL_FLAGS, createFacade, settingsFromFlags } from './model-flags.js';
import { ASK_HELP } from './help.js';
import { parseCommandArgs } from './parse-command-args.js';
import { checkBaseURL } from './preflight.js';
import { createRedactor, redactErrorText } from './redact-secrets.js';
import { resultToJson } from './result-json.js';
import { UsageError } from './usage-error.js';

/** Exit codes of `rlms ask`. */
export const EXIT = { ok: 0, error: 1, usage: 2, limit: 3, interrupted: 130, terminated: 143 } as const;

const FLAGS = {
  ...CONTEXT_FLAGS,
  ...MODEL_FLAGS,
  'save-trajectory': { type: 'string' },
  json: { type: 'boolean' },
  'include-context': { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;


/** `rlms ask`: answers a question over files, folders or stdin. Returns the exit code. */
export async function runAsk(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('ask', argv, FLAGS, true);
  if (values.help === true) {
    io.stdout.write(ASK_HELP);
    return EXIT.ok;
  }
  const question = positionals.join(' ').trim();
  if (question === '') throw new UsageError('ask needs a question: rlms ask "What does this code do?" --context ./src', 'ask');
  const quiet = values.quiet === true;
  const verbose = values.verbose === true && !quiet;
  const baseURL = values['base-url'];
  // The user's input first (flags, sandbox name, context paths), then the environment (API key, packages, server).
  const settings = settingsFromFlags(values, 'ask', io.env);
  await checkContextFlags(values, io, 'ask');
  const rlm = createFacade({ ...oneShotSandbox(settings), verbose }, values, io.env);
  const redact = createRedactor(io.env, [rlm.settings.apiKey]);
  const redactError = (text: string) => redactErrorText(text, io.env, [rlm.settings.apiKey]);

  const controller = new AbortController();
  let stopSignal: 'SIGINT' | 'SIGTERM' | undefined;
  let progress: ProgressReporter | undefined;
  const removeSignalHandler = io.onSignal((signal) => {
    if (stopSignal !== undefined) {
      io.stderr.write('\nrlms: forced exit.\n');
      process.exit(signal === 'SIGINT' ? EXIT.interrupted : EXIT.terminated);
    }
    stopSignal = signal;
    const text = `rlms: ${signal === 'SIGINT' ? 'interrupted' : 'terminated'}: stopping the run and freeing the sandbox (Ctrl-C again to force)…`;
    if (progress !== undefined) progress.note(text);
    else io.stderr.write(`${text}\n`);
    controller.abort(new Error(`received ${signal}`));
  });
  try {
    await rlm.ready();
    if (baseURL !== undefined) {
      const problem = await checkBaseURL(baseURL);
      if (problem !== undefined) {
        throw new ConfigurationError(`Cannot reach the model server at ${baseURL} (${problem}): check --base-url and that the server is running.`, { code: 'unreachable-base-url' });
      }
    }
    const loaded = await loadContextFlags(values, io, 'ask', { quiet, verbose });
    if (controller.signal.aborted) return stopSignal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
    progress = quiet || verbose ? undefined : new ProgressReporter({ stream: io.stderr });
    let warned = quiet || rlm.sandboxName !== 'local';
    const onEvent = (event: RLMEvent) => {
      if (!warned && event.type === 'run-start' && event.mode === 'rlm') {
        warned = true;
        const note = 'rlms: note: --sandbox local runs model-written code on this machine without isolation.';
        if (progress === undefined) io.stderr.write(`${note}\n`);
        else progress.note(note);
      }
      progress?.onEvent(event);
    };
    let result: QueryResult;
    try {
      result = await rlm.query({
        context: loaded.context,
        question,
        abortSignal: controller.signal,
        onEvent,
      });
    } finally {
      progress?.stop();
    }
    // Written here rather than by the engine: 0600, secrets redacted (the engine's saveTrajectory does neither).
    const trajectoryPath = values['save-trajectory'];
    if (trajectoryPath !== undefined) await writePrivateFile(trajectoryPath, `${redact(JSON.stringify(result.trajectory, null, 2))}\n`);
    return report(result, values, io, quiet, stopSignal, { redact, redactError });
  } finally {
    removeSignalHandler();
    await rlm.close();
  }
}

function report(
  result: QueryResult,
  values: { json?: boolean; 'include-context'?: boolean; 'save-trajectory'?: string },
  io: CliIO,
  quiet: boolean,
  stopSignal: 'SIGINT' | 'SIGTERM' | undefined,
  { redact, redactError }: { redact: (text: string) => string; redactError: (text: string) => string },
): number {
  const total = result.usage.total;
  if (!quiet) {
    io.stderr.write(
      `rlms: ${result.status} (${result.mode}) · ${plural(result.iterations, 'iteration')} · ${plural(result.subcalls, 'sub-call')} · ${formatInteger(total.totalTokens)} tokens · ${formatUsd(result.costUsd)} · ${formatDuration(result.durationMs)}\n`,
    );
    if (values['save-trajectory'] !== undefined) io.stderr.write(`rlms: trajectory written to ${values['save-trajectory']}\n`);
  }
  if (values.json === true) io.stdout.write(`${redact(JSON.stringify(resultToJson(result, values['include-context'] === true), null, 2))}\n`);
  switch (result.status) {
    case 'completed':
      if (values.json !== true) io.stdout.write(redact(result.answer.endsWith('\n') ? result.answer : `${result.answer}\n`));
      return EXIT.ok;
    case 'aborted':
      if (stopSignal !== undefined) return stopSignal === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
      io.stderr.write(redactError(`rlms: the run was aborted: ${result.statusDetail ?? 'no detail'}\n`));
      return EXIT.error;
    case 'error':
      io.stderr.write(redactError(`rlms: the run failed: ${result.statusDetail ?? result.error?.message ?? 'unknown error'}\n`));
      return EXIT.error;
    default:
      io.stderr.write(redactError(`rlms: stopped early (${result.status}): ${result.statusDetail ?? ''}${result.answer === '' ? '; no answer.' : '; below is the best answer so far.'}\n`));
      if (values.json !== true && result.answer !== '') io.stdout.write(redact(`${result.answer}\n`));
      return EXIT.limit;
  }
}

/**
 * `rlms ask` answers one question and exits: the Pyodide sandbox needs no spare process warming up
 * beside the run (it would cost a process start and its memory for nothing). An explicit
 * `warmPoolSize` setting still wins.
 */
export function oneShotSandbox(settings: RecursiveLanguageModelSettings): RecursiveLanguageModelSettings {
  if (settings.sandbox !== 'pyodide' || settings.sandboxSettings?.['warmPoolSize'] !== undefined) return settings;
  return { ...settings, sandboxSettings: { ...settings.sandboxSettings, warmPoolSize: 0 } };
}
