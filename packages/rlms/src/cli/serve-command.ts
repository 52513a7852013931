import { ConfigurationError } from '@rlms/core';
import { createRLMServer, type ListeningRLMServer, type RLMServer } from '@rlms/server';
import type { RecursiveLanguageModel } from '../recursive-language-model.js';
import { EXIT } from './ask-command.js';
import type { CliIO } from './cli-io.js';
import { SERVE_HELP } from './help.js';
import { createFacade, settingsFromFlags } from './model-flags.js';
import { parseCommandArgs } from './parse-command-args.js';
import { checkBaseURL } from './preflight.js';
import { resolveServeFlags, SERVE_FLAGS, type ServeFlags } from './serve-flags.js';

/**
 * `rlms serve`: an OpenAI-compatible endpoint (`@rlms/server`) backed by an RLM built from the same
 * model, sandbox and budget flags as `rlms ask`. Checks the command line first (flags, key file,
 * sandbox name), then the environment (model API key, packages, `--base-url`), listens, and serves
 * until SIGTERM/SIGINT; then shuts down gracefully (a second signal aborts running requests) and
 * frees the sandbox. Resolves with exit code 0 after a clean shutdown; throws `UsageError` (exit 2)
 * or an `RLMError` (exit 1) when it cannot start (see `main`).
 */
export async function runServe(argv: readonly string[], io: CliIO): Promise<number> {
  const { values } = parseCommandArgs('serve', argv, SERVE_FLAGS, false);
  if (values.help === true) {
    io.stdout.write(SERVE_HELP);
    return EXIT.ok;
  }
  const flags = await resolveServeFlags(values, io.env);
  const settings = settingsFromFlags(values, 'serve', io.env);
  const rlm = createFacade(settings, values, io.env);
  let server: RLMServer | undefined;
  try {
    await rlm.ready();
    if (values['base-url'] !== undefined) {
      const problem = await checkBaseURL(values['base-url']);
      if (problem !== undefined) {
        throw new ConfigurationError(`Cannot reach the model server at ${values['base-url']} (${problem}): check --base-url and that the server is running.`, {
          code: 'unreachable-base-url',
        });
      }
    }
    // The first request must not pay the sandbox's start-up (seconds for Pyodide on a busy machine).
    io.stderr.write(`rlms serve: starting the ${rlm.sandboxName} sandbox…\n`);
    const warmMs = await rlm.warmUp();
    io.stderr.write(`rlms serve: ${rlm.sandboxName} sandbox ready in ${(warmMs / 1000).toFixed(1)} s\n`);
    server = createRLMServer({
      ...flags.server,
      rlm,
      onLog: (entry) => {
        if (entry.event === 'listening') return;
        if (flags.quiet && entry.event === 'request' && entry.level !== 'error') return;
        io.stderr.write(`${new Date().toISOString()} [${entry.level}] ${entry.message}\n`);
      },
    });
    const listening = await listen(server, flags);
    io.stdout.write(
      `rlms serve: listening on ${listening.url} — OpenAI base URL ${listening.baseURL}, model "${flags.server.modelName ?? 'rlm'}"` +
        `${flags.server.apiKeys === 'none' ? ', NO authentication' : `, ${flags.server.apiKeys.length} API key(s)`}. Ctrl-C to stop.\n`,
    );
    await untilStopped(server, io);
    server = undefined;
    io.stderr.write('rlms serve: stopped\n');
    return EXIT.ok;
  } finally {
    await server?.close({ graceMs: 0 });
    await closeQuietly(rlm);
  }
}

/** Listens on the flags' host and port; a taken or forbidden port becomes a `ConfigurationError` saying what to do. */
async function listen(server: RLMServer, flags: ServeFlags): Promise<ListeningRLMServer> {
  try {
    return await server.listen(flags.port, flags.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ': the port is taken; pick another with --port' : code === 'EACCES' ? ': permission denied; use a port above 1023' : '';
    throw new ConfigurationError(`Cannot listen on ${flags.host}:${flags.port} (${(error as Error).message})${hint}.`, { code: 'listen-failed', cause: error });
  }
}

/** Resolves once the server has shut down after SIGTERM/SIGINT: running requests finish, a second signal aborts them. */
function untilStopped(server: RLMServer, io: CliIO): Promise<void> {
  return new Promise<void>((resolve) => {
    let signals = 0;
    const removeHandler = io.onSignal((signal) => {
      signals++;
      if (signals === 1) {
        io.stderr.write(`rlms serve: ${signal} received, finishing running requests (send it again to abort them)\n`);
        void server.close().then(() => {
          removeHandler();
          resolve();
        });
      } else {
        io.stderr.write(`rlms serve: ${signal} received again, aborting running requests\n`);
        void server.close({ graceMs: 0 });
      }
    });
  });
}

/** Frees the sandbox provider; a failure to do so must not hide why the command ends. */
async function closeQuietly(rlm: RecursiveLanguageModel): Promise<void> {
  await rlm.close().catch(() => undefined);
}
