import { ContextError, createReplay, createRLM, plural, RLMEventNarrator, type ContextInput, type Trajectory } from '@rlms/core';
import { loadSandbox, planSandbox, type SandboxName } from '../sandbox-spec.js';
import type { CliIO } from './cli-io.js';
import { EXIT } from './ask-command.js';
import { REPLAY_HELP } from './help.js';
import { readTrajectoryFile } from './read-trajectory-file.js';
import { createRedactor, redactErrorText } from './redact-secrets.js';
import { parseInteger } from './flag-values.js';
import { parseCommandArgs } from './parse-command-args.js';
import { UsageError } from './usage-error.js';

const FLAGS = {
  sandbox: { type: 'string', short: 's' },
  'max-bytes': { type: 'string' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Where replayed code runs unless `--sandbox` says otherwise: never the file's choice. */
const DEFAULT_REPLAY_SANDBOX: SandboxName = 'pyodide';

/**
 * `rlms replay trajectory.json`: re-runs a saved run with its model calls answered from the file (no
 * API, no cost) and its code run for real, then says whether the answer matches the saved one.
 * Exit 0 when it matches, 1 when it diverged, 2 for a file that is not a trajectory.
 *
 * The file is untrusted (trajectories are shared in bug reports): its code runs in the Pyodide
 * sandbox unless `--sandbox` is given on the command line; the `sandbox` the file names is never
 * used. The sandbox used is printed on stderr and in the `--json` output.
 */
export async function runReplay(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('replay', argv, FLAGS, true);
  if (values.help === true) {
    io.stdout.write(REPLAY_HELP);
    return EXIT.ok;
  }
  const [path, extra] = positionals;
  if (path === undefined) throw new UsageError('Give the trajectory file to replay: rlms replay ./logs/trajectory.json', 'replay');
  if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}": replay takes one trajectory file.`, 'replay');
  const maxBytes = parseInteger('max-bytes', values['max-bytes'], 'replay');
  // The sandbox comes from the command line only; check it before reading anything.
  const plan = planSandbox((values.sandbox ?? DEFAULT_REPLAY_SANDBOX) as SandboxName);
  const trajectory = await readTrajectoryFile(path, maxBytes);
  const replay = createReplay(trajectory);
  if (replay.context === undefined || replay.context === null) {
    throw new ContextError('This trajectory was saved without its context (trajectoryIncludesContext: false), so it cannot be replayed.', {
      code: 'context-missing',
    });
  }
  const sandboxName = plan.name;
  const redact = createRedactor(io.env);
  const saved = typeof trajectory.sandbox === 'string' ? trajectory.sandbox : 'unknown';
  const shown = (text: string) => JSON.stringify(text.slice(0, 40));
  io.stderr.write(
    `replay: running the saved code in the ${sandboxName} sandbox${
      values.sandbox === undefined
        ? ` (the default for replays; the file's sandbox ${shown(saved)} is never used: pass --sandbox to choose)`
        : ' (from --sandbox)'
    }.\n`,
  );
  if (sandboxName === 'local') io.stderr.write('replay: note: --sandbox local runs the file\'s code on this machine as you, without isolation: only for trajectories you trust.\n');
  const sandbox = await loadSandbox(plan, undefined);
  try {
    const rlm = createRLM({ model: replay.model, subModel: replay.subModel, sandbox, maxDepth: maxDepthOf(trajectory), telemetry: false });
    // The same words as `rlms ask --verbose` (core's narrator), one line per step of the top run.
    const narrator = new RLMEventNarrator({ depthPrefix: false });
    const result = await rlm.query({
      context: replay.context as ContextInput,
      question: replay.question,
      onEvent: (event) => {
        if (event.depth !== 0 || event.type === 'run-end') return;
        const line = narrator.describe(event);
        if (line !== undefined) io.stderr.write(redactErrorText(`replay: ${line}\n`, io.env));
      },
    });
    const matches = result.answer === replay.expectedAnswer;
    if (values.json === true) {
      const output = { matches, sandbox: sandboxName, status: result.status, answer: result.answer, expectedAnswer: replay.expectedAnswer, iterations: result.iterations, subcalls: result.subcalls };
      io.stdout.write(`${redact(JSON.stringify(output, null, 2))}\n`);
    } else {
      io.stdout.write(redact(`${result.answer}\n`));
      io.stderr.write(
        redactErrorText(
          matches
            ? `replay: the answer matches the saved run (${plural(result.iterations, 'iteration')}, ${plural(result.subcalls, 'sub-call')}, no API calls; code run in the ${sandboxName} sandbox).\n`
            : `replay: the run diverged (${result.status}${result.statusDetail === undefined ? '' : `: ${result.statusDetail}`}; code run in the ${sandboxName} sandbox); the saved answer was:\n${replay.expectedAnswer ?? ''}\n`,
          io.env,
        ),
      );
    }
    return matches ? EXIT.ok : EXIT.error;
  } finally {
    await sandbox.close?.();
  }
}

/** The depth the saved run used: one more than its deepest child run (nesting is bounded by the file check). */
function maxDepthOf(trajectory: Trajectory): number {
  let deepest = trajectory.depth;
  for (const step of trajectory.steps) for (const call of step.subcalls) if (call.child !== undefined) deepest = Math.max(deepest, maxDepthOf(call.child) - 1);
  return deepest + 1;
}
