import { RLMError } from '../../errors/rlm-error.js';
import type { ModelCallOptions, ModelProviderV1, ModelResponse } from '../../spec/model-provider-v1.js';
import { COMPACTION_PREFIX } from '../prompt/compaction.js';
import { FINAL_ANSWER_PREFIX, QUESTION_PREFIX, QUESTION_SUFFIX } from '../prompt/prompts.js';
import type { Trajectory, TrajectoryStep } from '../record/trajectory.js';

/** Thrown when a replayed run asks for a model call the trajectory does not hold (the run diverged). */
export class ReplayMismatchError extends RLMError {
  constructor(message: string) {
    super(`${message} The replayed run diverged from the saved one: same engine version, context, tools and sandbox behaviour are needed.`, {
      code: 'replay-mismatch',
    });
    this.name = 'ReplayMismatchError';
  }
}

/** Everything needed to re-run a saved trajectory without any model API. */
export interface Replay {
  /** Answers root calls (of the root run and of child runs) from the saved steps. */
  readonly model: ModelProviderV1;
  /** Answers `llm_query` prompts from the saved sub-calls. */
  readonly subModel: ModelProviderV1;
  readonly question: string;
  /** The saved context value; `undefined` when the trajectory was saved without it. */
  readonly context: unknown;
  /** The answer the saved run gave. */
  readonly expectedAnswer: string | undefined;
}

interface RunSteps {
  readonly question: string;
  readonly steps: readonly TrajectoryStep[];
  readonly used: Set<TrajectoryStep>;
  /** The run compacted its conversation: its iteration steps are matched in order, not by count. */
  readonly compacted: boolean;
}

function collectRuns(trajectory: Trajectory, runs: RunSteps[], subcalls: Map<string, string[]>): void {
  runs.push({ question: trajectory.question, steps: trajectory.steps, used: new Set(), compacted: trajectory.steps.some((step) => step.kind === 'compaction') });
  for (const step of trajectory.steps) {
    for (const call of step.subcalls) {
      if (call.child !== undefined) collectRuns(call.child, runs, subcalls);
      else if (call.op !== 'tool' && call.error === undefined) {
        const queue = subcalls.get(call.input) ?? [];
        queue.push(call.output);
        subcalls.set(call.input, queue);
      }
    }
  }
}

function questionOf(options: ModelCallOptions): string | undefined {
  const first = options.messages.find((message) => message.role === 'user')?.content ?? '';
  const start = first.lastIndexOf(QUESTION_PREFIX);
  const end = first.indexOf(`\n\n${QUESTION_SUFFIX}`, start);
  return start < 0 || end < 0 ? undefined : first.slice(start + QUESTION_PREFIX.length, end);
}

function reply(text: string, usage: ModelResponse['usage'] = {}): ModelResponse {
  return { text, usage, finishReason: 'stop' };
}

/**
 * Builds models that replay a saved trajectory's model calls from the file, so the run can be
 * reproduced or debugged exactly with no API: `createRLM({ model: replay.model, subModel:
 * replay.subModel, sandbox })` then `query({ context: replay.context, question: replay.question })`.
 * Code still runs for real in the sandbox. Host tools are not replayed: supply the same tools.
 */
export function createReplay(trajectory: Trajectory): Replay {
  const runs: RunSteps[] = [];
  const subcalls = new Map<string, string[]>();
  collectRuns(trajectory, runs, subcalls);

  const model: ModelProviderV1 = {
    specificationVersion: 'rlms-model-v1',
    provider: 'replay',
    modelId: trajectory.model,
    async generate(options) {
      const question = questionOf(options);
      const last = options.messages.at(-1)?.content ?? '';
      const kind = last.startsWith(FINAL_ANSWER_PREFIX) ? 'final-answer' : last.startsWith(COMPACTION_PREFIX) ? 'compaction' : 'iteration';
      // A run's root calls are sequential: the next unused step of the kind is the one (a compaction
      // restarts the conversation, so counting its assistant messages would not find it).
      const iteration = kind === 'compaction' ? 'next' : options.messages.filter((message) => message.role === 'assistant').length + 1;
      for (const run of runs) {
        if (run.question !== question) continue;
        const step = run.steps.find((candidate) => candidate.kind === kind && !run.used.has(candidate) && (iteration === 'next' || run.compacted || candidate.iteration === iteration));
        if (step === undefined) continue;
        run.used.add(step);
        return reply(step.action.response, step.action.usage);
      }
      throw new ReplayMismatchError(`No saved ${kind} step ${iteration} for the question ${JSON.stringify(question?.slice(0, 80))}.`);
    },
  };

  const subModel: ModelProviderV1 = {
    specificationVersion: 'rlms-model-v1',
    provider: 'replay',
    modelId: trajectory.subModel,
    async generate(options) {
      const prompt = options.messages.at(-1)?.content ?? '';
      const queue = subcalls.get(prompt);
      const output = queue?.shift();
      if (output === undefined) throw new ReplayMismatchError(`No saved sub-call for the prompt ${JSON.stringify(prompt.slice(0, 80))}.`);
      return reply(output);
    },
  };

  return {
    model,
    subModel,
    question: trajectory.question,
    context: trajectory.context.value,
    expectedAnswer: trajectory.result?.answer,
  };
}
