import { parseResponse, type ParsedResponse } from '../answer/code-blocks.js';
import { finalOfFailedBlock, resolveFinalAfterCode, resolveTextFinal, type TextFinalResolution } from '../answer/final-answer.js';
import { formatExecution, formatInterruptedSubcalls } from '../answer/format-observation.js';
import type { ModelCallOutcome } from '../model/model-call.js';
import { NUDGE_NO_CODE, NUDGE_UNTERMINATED } from '../prompt/prompts.js';
import type { RunOutcome } from '../record/run-record.js';
import type { TrajectoryStep } from '../record/trajectory.js';
import { eventBase, type RunState } from './run-state.js';

/** What one iteration came to: the run's outcome when it ended the run, and the feedback for the next turn. */
export interface IterationResult {
  readonly outcome?: RunOutcome;
  /** The iteration failed: a block raised or was interrupted, no code, or an unterminated block. */
  readonly failed: boolean;
  /** The message sent back to the model (empty when the run ended). */
  readonly feedback: string;
}

/**
 * Acts on one root-model reply: records the step, runs its code blocks in order until one ends the
 * run with `FINAL`, reads text finals against the REPL, and gathers the feedback the model sees
 * next (outputs, errors, nudges, schema mismatches).
 */
export async function runIteration(state: RunState, call: ModelCallOutcome, startedAt: number): Promise<IterationResult> {
  const { response, costUsd } = call;
  const texts = state.record.texts;
  const parsed = parseResponse(response.text);
  const step: TrajectoryStep = {
    iteration: state.iterations,
    kind: 'iteration',
    startedAt,
    durationMs: 0,
    action: { response: texts.text(response.text), code: parsed.blocks.map((block) => texts.text(block)), usage: response.usage, ...(costUsd === undefined ? {} : { costUsd }) },
    observation: { executions: [], feedback: '' },
    subcalls: [],
  };
  state.currentStep = step;
  state.record.trajectory.steps.push(step);
  state.messages.push({ role: 'assistant', content: response.text });
  const turn = new Turn(state, step, parsed);
  try {
    await turn.run();
  } finally {
    state.currentStep = undefined;
  }
  const failed = turn.outcome === undefined && (turn.failure !== undefined || parsed.blocks.length === 0 || parsed.unterminated);
  const feedback = turn.feedback.join('\n\n');
  step.observation.feedback = texts.text(feedback);
  step.durationMs = Date.now() - startedAt;
  return { ...(turn.outcome === undefined ? {} : { outcome: turn.outcome }), failed, feedback };
}

/** One reply being acted on. */
class Turn {
  outcome: RunOutcome | undefined;
  failure: string | undefined;
  readonly feedback: string[] = [];
  private readonly execute = (code: string) => this.state.clock.cell(() => this.state.repl.execute(code));

  constructor(
    private readonly state: RunState,
    private readonly step: TrajectoryStep,
    private readonly parsed: ParsedResponse,
  ) {}

  async run(): Promise<void> {
    const { parsed, feedback } = this;
    const maxOutputChars = this.state.settings.maxOutputChars;
    if (parsed.blocks.length === 0) {
      if (parsed.unterminated) feedback.push(NUDGE_UNTERMINATED);
      else if (parsed.textFinal !== undefined) await this.settle(await resolveTextFinal(parsed.textFinal, this.execute, maxOutputChars));
      else feedback.push(NUDGE_NO_CODE);
      return;
    }
    for (const [index, code] of parsed.blocks.entries()) {
      if (!(await this.runBlock(index, code))) break;
    }
    if (this.outcome === undefined && parsed.textFinal !== undefined && !parsed.unterminated) {
      await this.settle(await resolveFinalAfterCode(parsed.textFinal, this.failure, this.execute, maxOutputChars));
    }
    if (this.outcome === undefined && parsed.unterminated) feedback.push(NUDGE_UNTERMINATED);
  }

  /** Runs one code block; returns whether the next block should run. */
  private async runBlock(index: number, code: string): Promise<boolean> {
    const { state, step, feedback } = this;
    const blocks = this.parsed.blocks.length;
    const maxOutputChars = state.settings.maxOutputChars;
    state.tree.emit({ type: 'code-execution-start', ...eventBase(state), iteration: state.iterations, block: index, code });
    const subcallsBefore = step.subcalls.length;
    const { result, restartNote } = await this.execute(code);
    if (result === undefined) {
      feedback.push(restartNote!);
      this.failure ??= `the REPL restarted during code block ${index + 1}`;
      return false;
    }
    step.observation.executions.push(state.record.texts.execution(code, result));
    state.tree.emit({ type: 'code-execution-end', ...eventBase(state), iteration: state.iterations, block: index, result });
    feedback.push(formatExecution(result, index, blocks, maxOutputChars));
    if (result.timedOut) {
      const note = formatInterruptedSubcalls(step.subcalls.slice(subcallsBefore));
      if (note !== undefined) feedback.push(note);
    }
    if (result.final !== undefined) {
      await this.accept(result.final.text, result.final.value);
      return false;
    }
    const inlineFinal = finalOfFailedBlock(code, result);
    if (inlineFinal !== undefined) {
      const rest = inlineFinal.rest === undefined ? undefined : (await this.execute(inlineFinal.rest)).result;
      if (rest !== undefined && (rest.error !== undefined || rest.timedOut === true)) feedback.push(formatExecution(rest, index, blocks, maxOutputChars));
      else {
        feedback.push(`Code block ${index + 1}: its FINAL line is not valid Python, so it was read as text.`);
        await this.settle(await resolveTextFinal(inlineFinal.final, this.execute, maxOutputChars));
        if (this.outcome !== undefined) return false;
      }
    }
    if (result.error !== undefined || result.timedOut === true) this.failure ??= `code block ${index + 1} ${result.timedOut === true ? 'was interrupted' : `raised ${result.error!.type}`}`;
    return !(result.timedOut && state.input.signal.aborted);
  }

  /** Accepts a final answer, or passes on the feedback asking the model to fix its shape. */
  private async accept(text: string, value: unknown): Promise<void> {
    const accepted = await this.state.answers.accept(text, value);
    if (typeof accepted === 'string') this.feedback.push(accepted);
    else this.outcome = accepted;
  }

  /** Accepts a text final read against the REPL (final-answer.ts), or passes its feedback on. */
  private async settle(resolution: TextFinalResolution): Promise<void> {
    if (resolution.kind === 'feedback') return void this.feedback.push(resolution.feedback);
    if (resolution.note !== undefined) this.feedback.push(resolution.note);
    await this.accept(resolution.text, resolution.value);
  }
}
