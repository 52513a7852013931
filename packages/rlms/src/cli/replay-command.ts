import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ContextError, createReplay, createRLM, type Trajectory } from '@rlms/core';
import { loadSandbox, planSandbox, type SandboxName } from '../sandbox-spec.js';
import type { CliIO } from './cli-io.js';
import { EXIT } from './ask-command.js';
import { REPLAY_HELP } from './help.js';
import { UsageError } from './usage-error.js';

const FLAGS = {
  sandbox: { type: 'string', short: 's' },
  json: { type: 'boolean' },
  debug: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/**
 * `rlms replay trajectory.json`: re-runs a saved run with its model calls answered from the file (no
 * API, no cost) and its code run for real, then says whether the answer matches the saved one.
 * Exit 0 when it matches, 1 when it diverged.
 */
export async function runReplay(argv: readonly string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseArgs({ args: [...argv], options: FLAGS, allowPositionals: true, strict: true });
  if (values.help === true) {
    io.stdout.write(REPLAY_HELP);
    return EXIT.ok;
  }
  const [path, extra] = positionals;
  if (path === undefined) throw new UsageError('Give the trajectory file to replay: rlms replay ./logs/trajectory.json', 'replay');
  if (extra !== undefined) throw new UsageError(`Unexpected argument "${extra}": replay takes one trajectory file.`, 'replay');
  let trajectory: Trajectory;
  try {
    trajectory = JSON.parse(await readFile(path, 'utf8')) as Trajectory;
  } catch (error) {
    throw new UsageError(`Cannot read the trajectory ${path}: ${(error as Error).message}`, 'replay');
  }
  if (trajectory?.version !== 1 || !Array.isArray(trajectory.steps)) {
    throw new UsageError(`${path} is not an rlms trajectory (expected "version": 1 and "steps").`, 'replay');
  }
  const replay = createReplay(trajectory);
  if (replay.context === undefined) {
    throw new ContextError('This trajectory was saved without its context (trajectoryIncludesContext: false), so it cannot be replayed.', {
      code: 'context-missing',
    });
  }
  const sandboxName = (values.sandbox ?? (trajectory.sandbox in { pyodide: 1, local: 1 } ? trajectory.sandbox : 'pyodide')) as SandboxName;
  const sandbox = await loadSandbox(planSandbox(sandboxName), undefined);
  try {
    const rlm = createRLM({ model: replay.model, subModel: replay.subModel, sandbox, maxDepth: maxDepthOf(trajectory), telemetry: false });
    const result = await rlm.query({
      context: replay.context as string,
      question: replay.question,
      onEvent: (event) => {
        if (event.type === 'iteration-start' && event.depth === 0) io.stderr.write(`replay: iteration ${event.iteration}\n`);
      },
    });
    const matches = result.answer === replay.expectedAnswer;
    if (values.json === true) {
      io.stdout.write(`${JSON.stringify({ matches, status: result.status, answer: result.answer, expectedAnswer: replay.expectedAnswer, iterations: result.iterations, subcalls: result.subcalls }, null, 2)}\n`);
    } else {
      io.stdout.write(`${result.answer}\n`);
      io.stderr.write(
        matches
          ? `replay: the answer matches the saved run (${result.iterations} iterations, ${result.subcalls} sub-calls, no API calls).\n`
          : `replay: the run diverged (${result.status}${result.statusDetail === undefined ? '' : `: ${result.statusDetail}`}); the saved answer was:\n${replay.expectedAnswer ?? ''}\n`,
      );
    }
    return matches ? EXIT.ok : EXIT.error;
  } finally {
    await sandbox.close?.();
  }
}

/** The depth the saved run used: one more than its deepest child run. */
function maxDepthOf(trajectory: Trajectory): number {
  let deepest = trajectory.depth;
  for (const step of trajectory.steps) for (const call of step.subcalls) if (call.child !== undefined) deepest = Math.max(deepest, maxDepthOf(call.child) - 1);
  return deepest + 1;
}
