import { readFileSync } from 'node:fs';
import { RLMError } from '@rlms/core';
import { runAsk, EXIT } from './ask-command.js';
import type { CliIO } from './cli-io.js';
import { runEstimate } from './estimate-command.js';
import { ASK_HELP, ESTIMATE_HELP, MAIN_HELP, REPLAY_HELP, SERVE_HELP, VIEW_HELP } from './help.js';
import { runReplay } from './replay-command.js';
import { runServe } from './serve-command.js';
import { BENCH_HELP, runBench } from './bench-command.js';
import { redactErrorText } from './redact-secrets.js';
import { UsageError } from './usage-error.js';
import { runView } from './view-command.js';

/** A command: what runs it and its `--help` text. */
interface CommandEntry {
  readonly run: (argv: readonly string[], io: CliIO) => Promise<number>;
  readonly help: string;
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  ask: { run: runAsk, help: ASK_HELP },
  estimate: { run: runEstimate, help: ESTIMATE_HELP },
  replay: { run: runReplay, help: REPLAY_HELP },
  serve: { run: runServe, help: SERVE_HELP },
  view: { run: runView, help: VIEW_HELP },
};

/**
 * Commands that are not listed: `bench` only says where the benchmarks are (a checkout's `./rlms`
 * script runs them before this CLI is reached).
 */
const UNLISTED: Readonly<Record<string, CommandEntry>> = {
  bench: { run: runBench, help: BENCH_HELP },
};

function commandEntry(name: string): CommandEntry | undefined {
  if (Object.hasOwn(COMMANDS, name)) return COMMANDS[name];
  return Object.hasOwn(UNLISTED, name) ? UNLISTED[name] : undefined;
}

/** The package version, read from its package.json. */
export function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  return (JSON.parse(text) as { version: string }).version;
}

/**
 * Runs the `rlms` CLI with `argv` (without `node` and the script path) and returns the exit code.
 * Never throws: errors print one sentence on stderr (a stack trace too with `--debug`).
 */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const debug = argv.includes('--debug');
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      const topic = command === 'help' ? rest[0] : undefined;
      const text = (topic === undefined ? undefined : commandEntry(topic))?.help ?? MAIN_HELP;
      if (command === undefined) {
        io.stderr.write(text);
        return EXIT.usage;
      }
      io.stdout.write(text);
      return EXIT.ok;
    }
    if (command === '--version' || command === '-V') {
      io.stdout.write(`${packageVersion()}\n`);
      return EXIT.ok;
    }
    const entry = commandEntry(command);
    if (entry === undefined && command.startsWith('-')) {
      throw new UsageError(`Unknown option '${command}': options go after the command (rlms <command> [options]); the commands are ${Object.keys(COMMANDS).join(', ')}.`);
    }
    if (entry === undefined) throw new UsageError(`Unknown command "${command}": use ${Object.keys(COMMANDS).join(', ')}.`);
    return await entry.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      const helpCommand = error.command ?? (command !== undefined && Object.hasOwn(COMMANDS, command) ? command : undefined);
      io.stderr.write(`rlms: ${error.message}\nRun \`rlms ${helpCommand === undefined ? '' : `${helpCommand} `}--help\` for usage.\n`);
      if (debug) io.stderr.write(`${error.stack}\n`);
      return EXIT.usage;
    }
    // Error text can quote an upstream reply that echoed a key: never print a secret.
    const message = redactErrorText(error instanceof Error ? error.message : String(error), io.env);
    io.stderr.write(RLMError.isInstance(error) ? `rlms: ${message}\n` : `rlms: unexpected error: ${message} (run with --debug for details)\n`);
    if (debug && error instanceof Error) io.stderr.write(`${redactErrorText(error.stack ?? '', io.env)}\n`);
    return EXIT.error;
  }
}
