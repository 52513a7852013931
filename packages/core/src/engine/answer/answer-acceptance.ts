import { AnswerValidationError } from '../../errors/errors.js';
import type { RunOutcome } from '../record/run-record.js';
import { checkSchema, type AnswerSchema } from '../schema/schema.js';

/** The closing statuses: a run that ran out of iterations, budget or time and was asked to answer now. */
export type ClosingStatus = 'max_iterations' | 'budget_exhausted' | 'timeout';

/**
 * Decides whether a final answer ends the run. Without a schema every answer does. With one, the
 * value is checked on the host; a mismatch becomes feedback asking the model to fix it, until
 * `maxSchemaRetries` mismatches end the run with an `AnswerValidationError`.
 */
export class AnswerAcceptance {
  private failures = 0;

  constructor(
    private readonly schema: AnswerSchema | undefined,
    private readonly maxSchemaRetries: number,
  ) {}

  /** The run's outcome for a final answer, or the feedback that asks the model to fix its shape. */
  async accept(text: string, value: unknown): Promise<RunOutcome | string> {
    const base = { status: 'completed' as const, answer: text, ...(value === undefined ? {} : { answerValue: value }) };
    if (this.schema === undefined) return base;
    const check = await checkSchema(this.schema, parseMaybeJson(value ?? text));
    if (check.ok) return { ...base, typed: { value: check.value } };
    this.failures++;
    if (this.failures > this.maxSchemaRetries) {
      const message = `The answer did not match the schema after ${this.failures} tries: ${check.issues.join('; ')}`;
      return { ...base, status: 'error', detail: message, error: new AnswerValidationError(message, { issues: check.issues }) };
    }
    return `Your final answer does not match the required shape:\n- ${check.issues.join('\n- ')}\nFix the value and call FINAL again (structured data, not a JSON string).`;
  }

  /** The outcome of a closing answer (no retries left): typed when it happens to match the schema. */
  async closing(status: ClosingStatus, answer: string, detail: string): Promise<RunOutcome> {
    if (this.schema !== undefined) {
      const check = await checkSchema(this.schema, parseMaybeJson(answer));
      if (check.ok) return { status, answer, detail, answerValue: parseMaybeJson(answer), typed: { value: check.value } };
    }
    return { status, answer, detail };
  }
}

/** Parses a string that holds JSON (a model answering with a JSON string); other values pass through. */
export function parseMaybeJson(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!/^[[{"]|^-?\d|^(true|false|null)$/.test(trimmed)) return value;
  try {
    return JSON.parse(trimmed);
  } catch {
    return value;
  }
}
