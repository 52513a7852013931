import { RLMError } from '../../errors/rlm-error.js';
import { prepareContext, type ContextInput, type PreparedContext } from '../prompt/context.js';
import type { AnswerOf, RLMQueryOptions } from '../run/run-prepared.js';
import { runPrepared } from '../run/run-prepared.js';
import type { RLMEvent } from './events.js';
import type { ResolvedSettings } from './resolve-settings.js';
import type { RLMResult, RunStatus } from './result.js';
import { ForwardingHostBridge, type PersistentSession } from '../run/run.js';
import type { ExtraContext } from '../run/run-repl.js';
import type { AnswerSchema } from '../schema/schema.js';
import { truncateMiddle } from '../prompt/truncate.js';

/** Options of `rlm.session(...)`. */
export interface RLMSessionOptions {
  /** The input, loaded once as `context` and kept for every turn. */
  readonly context: ContextInput;
  /** Receives every event of every turn. */
  readonly onEvent?: (event: RLMEvent) => void;
}

/** One finished turn, as kept in `session.history` and in the REPL's `history` variable. */
export interface SessionTurn {
  readonly question: string;
  /** The answer text (JSON for structured answers). */
  readonly answer: string;
  readonly status: RunStatus;
}

/**
 * Options of one turn: a question, or the query options (a turn is always an RLM run). A turn's
 * `context` is loaded next to the earlier ones as `context_1`, `context_2`… and becomes `context`
 * for this and later turns; the session's first context stays `context_0`.
 */
export type SessionQuery<S extends AnswerSchema | undefined> =
  | string
  | (Omit<RLMQueryOptions<S>, 'context' | 'mode'> & { readonly context?: ContextInput });

/** A multi-turn conversation over one context, with one sandbox and one REPL namespace. */
export interface RLMSession {
  /** Finished turns, oldest first. */
  readonly history: readonly SessionTurn[];
  /** Asks the next question. Turns run one at a time (a second call waits for the first). */
  query<S extends AnswerSchema | undefined = undefined>(query: SessionQuery<S>): Promise<RLMResult<AnswerOf<S>>>;
  /** Frees the sandbox. Idempotent; later `query` calls reject. */
  close(): Promise<void>;
}

/** How much of the previous answer is quoted in the next turn's prompt; the rest stays in the REPL. */
const PREVIOUS_ANSWER_CHARS = 600;

function answerText(answer: unknown): string {
  return typeof answer === 'string' ? answer : JSON.stringify(answer) ?? '';
}

/** Creates a session (no I/O until the first turn opens the sandbox). */
export function createRLMSession(settings: ResolvedSettings, options: RLMSessionOptions): RLMSession {
  const context: PreparedContext = prepareContext(options.context);
  const persistent: PersistentSession = { session: undefined, host: new ForwardingHostBridge(), loaded: new Set() };
  /** Contexts given on later turns, in order (`context_1`…). */
  const extraContexts: ExtraContext[] = [];
  const history: SessionTurn[] = [];
  let closed = false;
  let queue: Promise<unknown> = Promise.resolve();

  async function turn(query: SessionQuery<AnswerSchema | undefined>): Promise<RLMResult<unknown>> {
    if (closed) throw new RLMError('This session is closed: open a new one with rlm.session({ context }).', { code: 'session-closed' });
    const { context: turnContext, ...turnOptions } = typeof query === 'string' ? { question: query, context: undefined } : query;
    let contextNote: string | undefined;
    if (turnContext !== undefined) {
      const prepared = prepareContext(turnContext);
      const variable = `context_${extraContexts.length + 1}`;
      extraContexts.push({ variable, payload: prepared.payload });
      const { type, totalChars } = prepared.metadata;
      contextNote = `This turn brings a new context: \`${variable}\` (a ${type} of ${totalChars.toLocaleString('en-US')} characters), which is now also \`context\`. The earlier ones stay loaded: ${['context_0', ...extraContexts.slice(0, -1).map((extra) => extra.variable)].map((name) => `\`${name}\``).join(', ')}.`;
    }
    const previous = history.at(-1);
    const turnNote =
      previous === undefined
        ? undefined
        : [
            `This is turn ${history.length + 1} of a conversation about the same context. The REPL keeps every variable from earlier turns.`,
            `Earlier questions and answers are in the REPL variable \`history\` (a list of ${history.length} dicts with "question", "answer", "status").`,
            `The previous question was: ${previous.question}`,
            `Its answer began: ${truncateMiddle(previous.answer, PREVIOUS_ANSWER_CHARS).text}`,
          ].join('\n');
    const note = [turnNote, contextNote].filter((part) => part !== undefined).join('\n\n') || undefined;
    const current = extraContexts.at(-1)?.variable;
    const setupCode = [
      `history = __import__("json").loads(${JSON.stringify(JSON.stringify(history))})`,
      // The newest context is `context` (the runtime keeps `context_0` as the first one).
      ...(current === undefined ? [] : [`context = ${current}`]),
    ].join('\n');
    const onEvent = (event: RLMEvent) => {
      options.onEvent?.(event);
      turnOptions.onEvent?.(event);
    };
    const result = await runPrepared(settings, { ...turnOptions, onEvent }, context, {
      persistent,
      setupCode,
      ...(extraContexts.length === 0 ? {} : { extraContexts: [...extraContexts] }),
      ...(note === undefined ? {} : { note }),
    });
    history.push({ question: turnOptions.question, answer: answerText(result.answer), status: result.status });
    return result;
  }

  return {
    history,
    query<S extends AnswerSchema | undefined = undefined>(query: SessionQuery<S>): Promise<RLMResult<AnswerOf<S>>> {
      const next = queue.then(() => turn(query as SessionQuery<AnswerSchema | undefined>));
      queue = next.catch(() => undefined);
      return next as Promise<RLMResult<AnswerOf<S>>>;
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      const session = persistent.session;
      persistent.session = undefined;
      persistent.loaded.clear();
      await session?.destroy();
    },
  };
}
