import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { RLMError, type RLM } from '@rlms/core';
import { createRLMServer, type ListeningRLMServer } from './create-rlm-server.js';
import type { ServableRLM } from './rlm-server-settings.js';
import { SERVE_HELP, SERVE_OPTIONS, ServeUsageError, resolveServeFlags, type ParsedServeFlags } from './serve-flags.js';

/** Where `rlms serve` writes and which signals it listens to (the CLI's own IO fits this shape). */
export interface ServeCommandIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Registers a handler for SIGINT/SIGTERM; returns a function removing it. */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
}

/** What `buildRLM` receives: the server flags plus every parsed value (the caller's extra flags too). */
export interface ServeFlags extends ParsedServeFlags {
  /** All flag values as `node:util` `parseArgs` returned them, keyed by long name. */
  readonly values: Readonly<Record<string, string | boolean | Array<string | boolean> | undefined>>;
  readonly positionals: readonly string[];
}

/** What the `rlms` CLI lends `runServeCommand`. */
export interface ServeCommandDeps {
  /** Builds the RLM to serve from the flags (model, sandbox… from the caller's own `options`). May throw `RLMError`s. */
  buildRLM(flags: ServeFlags): ServableRLM | RLM | Promise<ServableRLM | RLM>;
  /** Extra `parseArgs` options `buildRLM` reads (e.g. `--model`, `--sandbox`), added to the server's own. */
  readonly options?: ParseArgsOptionsConfig;
  /** Whether positional arguments are allowed (passed to `buildRLM`). Default `false`. */
  readonly allowPositionals?: boolean;
  /** Default: the process's streams, environment and signals. */
  readonly io?: ServeCommandIO;
  /** Called once the server listens (e.g. to learn the port chosen for `--port 0`). */
  onListening?(server: ListeningRLMServer): void;
}

/** Exit codes: 0 after a clean shutdown, 1 for errors (bad settings, port taken), 2 for usage mistakes. */
export const SERVE_EXIT = { ok: 0, error: 1, usage: 2 } as const;

function processIO(): ServeCommandIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onSignal: (handler) => {
      const onInt = () => handler('SIGINT');
      const onTerm = () => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}

function isParseArgsError(error: unknown): error is Error {
  const code = error instanceof Error ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS');
}

/**
 * `rlms serve`: parses `argv` (the arguments after `serve`), builds the RLM with `deps.buildRLM`,
 * serves it until SIGTERM/SIGINT, then shuts down gracefully (a second signal aborts running requests)
 * and closes the sandbox provider. Resolves with the exit code; never throws. See `SERVE_HELP`.
 */
export async function runServeCommand(argv: readonly string[], deps: ServeCommandDeps): Promise<number> {
  const io = deps.io ?? processIO();
  let parsed: ReturnType<typeof parseArgs>;
  let flags: ServeFlags;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...deps.options, ...SERVE_OPTIONS },
      allowPositionals: deps.allowPositionals ?? false,
      strict: true,
    });
    if (parsed.values.help === true) {
      io.stdout.write(SERVE_HELP);
      return SERVE_EXIT.ok;
    }
    flags = { ...(await resolveServeFlags(parsed.values, io.env)), values: parsed.values, positionals: parsed.positionals };
  } catch (error) {
    if (error instanceof ServeUsageError || isParseArgsError(error)) {
      io.stderr.write(`rlms serve: ${(error as Error).message.replace(/^TypeError \[\w+\]: /, '')}\nRun \`rlms serve --help\` for usage.\n`);
      return SERVE_EXIT.usage;
    }
    io.stderr.write(`rlms serve: ${error instanceof Error ? error.message : String(error)}\n`);
    return SERVE_EXIT.error;
  }

  let rlm: ServableRLM | RLM;
  try {
    rlm = await deps.buildRLM(flags);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(RLMError.isInstance(error) ? `rlms serve: ${message}\n` : `rlms serve: could not set up the RLM: ${message}\n`);
    return SERVE_EXIT.error;
  }

  let listening: ListeningRLMServer;
  const server = createRLMServer({
    rlm,
    apiKeys: flags.apiKeys,
    ...(flags.modelName === undefined ? {} : { modelName: flags.modelName }),
    ...(flags.maxBodyBytes === undefined ? {} : { maxBodyBytes: flags.maxBodyBytes }),
    ...(flags.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: flags.bodyTimeoutMs }),
    ...(flags.headersTimeoutMs === undefined ? {} : { headersTimeoutMs: flags.headersTimeoutMs }),
    ...(flags.maxSchemaBytes === undefined ? {} : { maxSchemaBytes: flags.maxSchemaBytes }),
    ...(flags.maxSchemaDepth === undefined ? {} : { maxSchemaDepth: flags.maxSchemaDepth }),
    ...(flags.maxSchemaSubschemas === undefined ? {} : { maxSchemaSubschemas: flags.maxSchemaSubschemas }),
    ...(flags.schemaValidationTimeoutMs === undefined ? {} : { schemaValidationTimeoutMs: flags.schemaValidationTimeoutMs }),
    ...(flags.maxConcurrentRuns === undefined ? {} : { maxConcurrentRuns: flags.maxConcurrentRuns }),
    ...(flags.contextThresholdChars === undefined ? {} : { contextThresholdChars: flags.contextThresholdChars }),
    ...(flags.shutdownGraceMs === undefined ? {} : { shutdownGraceMs: flags.shutdownGraceMs }),
    ...(flags.trajectoryDir === undefined ? {} : { trajectoryDir: flags.trajectoryDir }),
    onLog: (entry) => {
      if (entry.event === 'listening') return;
      if (flags.quiet && entry.event === 'request' && entry.level !== 'error') return;
      io.stderr.write(`${new Date().toISOString()} [${entry.level}] ${entry.message}\n`);
    },
  });
  try {
    listening = await server.listen(flags.port, flags.host);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const hint = code === 'EADDRINUSE' ? ': the port is taken; pick another with --port' : code === 'EACCES' ? ': permission denied; use a port above 1023' : '';
    io.stderr.write(`rlms serve: cannot listen on ${flags.host}:${flags.port} (${(error as Error).message})${hint}.\n`);
    await server.close({ graceMs: 0 });
    await closeRLM(rlm);
    return SERVE_EXIT.error;
  }
  io.stdout.write(
    `rlms serve: listening on ${listening.url} — OpenAI base URL ${listening.baseURL}, model "${flags.modelName ?? 'rlm'}"` +
      `${flags.apiKeys === 'none' ? ', NO authentication' : `, ${flags.apiKeys.length} API key(s)`}. Ctrl-C to stop.\n`,
  );
  deps.onListening?.(listening);

  await new Promise<void>((resolve) => {
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
  await closeRLM(rlm);
  io.stderr.write('rlms serve: stopped\n');
  return SERVE_EXIT.ok;
}

/** Frees what an RLM holds across requests: its own `close()`, else its sandbox provider's. */
async function closeRLM(rlm: ServableRLM | RLM): Promise<void> {
  if ('close' in rlm && typeof rlm.close === 'function') await rlm.close();
  else if ('settings' in rlm) await rlm.settings.sandbox.close?.();
}
