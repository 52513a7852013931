import type { Trajectory } from '@rlms/core';
import { prepareContextPreview } from './prepare-context.js';
import { shorten } from './shorten-text.js';
import { TrajectoryFormatError } from './trajectory-format-error.js';

/** How much of a trajectory is embedded in the page. */
export interface PrepareOptions {
  /** Longest string kept whole (prompts, outputs…); longer ones keep their head and tail. Default 200 000. */
  readonly maxStringChars?: number;
  /**
   * Characters of the context value kept (it can be the whole input). A dict or list context keeps
   * each document's name and size and shares this budget among their texts. Default 100 000.
   */
  readonly maxContextChars?: number;
}

function shortenDeep(value: unknown, max: number, depth = 0): unknown {
  if (typeof value === 'string') return shorten(value, max);
  if (value === null || typeof value !== 'object' || depth > 200) return value;
  if (Array.isArray(value)) return value.map((item) => shortenDeep(item, max, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = shortenDeep(item, max, depth + 1);
  return out;
}

/** Checks that `value` looks like a trajectory; throws `TrajectoryFormatError` saying what is missing. */
export function assertTrajectory(value: unknown, path?: string): asserts value is Trajectory {
  const where = path === undefined ? 'The trajectory' : `${path}`;
  const fail = (what: string) =>
    new TrajectoryFormatError(`${where} is not an rlms trajectory: ${what}. Save one with rlm.query({ saveTrajectory: 'run.json' }) or \`rlms ask --save-trajectory run.json\`.`, {
      ...(path === undefined ? {} : { path }),
    });
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw fail('expected a JSON object');
  const record = value as Record<string, unknown>;
  if (typeof record.runId !== 'string') throw fail('"runId" is missing');
  if (!Array.isArray(record.steps)) throw fail('"steps" is not an array');
  if (typeof record.version === 'number' && record.version > 1) {
    throw new TrajectoryFormatError(`${where} has trajectory format version ${record.version}; this viewer reads version 1: update @rlms/viewer.`, {
      ...(path === undefined ? {} : { path }),
    });
  }
}

/**
 * A copy of the trajectory for embedding: strings longer than `maxStringChars` keep their head and tail
 * (with a note of what was cut). The context keeps its metadata; a str context becomes text cut to
 * `maxContextChars` (`context.value`), a dict or list context its documents
 * (`context.documents`: name, size and text, sharing `maxContextChars`; see `ContextPreview`).
 * Numbers (usage, costs, timings) are untouched, so totals stay exact.
 */
export function prepareTrajectory(trajectory: Trajectory, options: PrepareOptions = {}): Trajectory {
  const maxString = options.maxStringChars ?? 200_000;
  const maxContext = options.maxContextChars ?? 100_000;
  const { context, steps, ...rest } = trajectory;
  const preview = context?.value === undefined ? {} : prepareContextPreview(context.value, maxContext);
  return {
    ...(shortenDeep(rest, maxString) as object),
    context: { metadata: context?.metadata, ...preview },
    // Child runs are trajectories too: their context gets the same treatment.
    steps: (Array.isArray(steps) ? steps : []).map((step) => {
      const { subcalls, ...stepRest } = step;
      return {
        ...(shortenDeep(stepRest, maxString) as object),
        subcalls: (Array.isArray(subcalls) ? subcalls : []).map((subcall) => {
          const { child, ...subcallRest } = subcall;
          return {
            ...(shortenDeep(subcallRest, maxString) as object),
            ...(child === undefined ? {} : { child: prepareTrajectory(child, options) }),
          };
        }),
      };
    }),
  } as Trajectory;
}
