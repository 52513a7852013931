/**
 * A chat agent whose long-term memory is an RLM session: the whole past conversation is loaded
 * once into one sandbox as `context`, and every new user message is a turn of the session. The
 * REPL keeps its variables between turns, and earlier turns of this conversation are in the
 * REPL variable `history`, so a later message ("put both of those in a checklist") can build on
 * earlier answers without reloading or re-reading anything.
 */
import type { RecursiveLanguageModel } from 'rlms';
import { trajectoryPathFor } from '@rlms/examples-shared/example-cli';
import type { ChatMessage } from './generate-history.ts';

/** A multi-turn RLM session, as `rlm.session()` returns it. */
export type MemorySession = ReturnType<RecursiveLanguageModel['session']>;

/** The result of one turn: its answer is the reply text. */
export type TurnResult = Omit<Awaited<ReturnType<MemorySession['query']>>, 'answer'> & { readonly answer: string };

/** The question the RLM gets for a user message: what to look for, and how to weigh it. */
export function memoryQuestion(message: string): string {
  return [
    "You are the user's long-term assistant. The context is your whole past conversation with them: a list of messages",
    '(id, ts, role, text), oldest first, far too long to read in full.',
    "The user's new message is:",
    JSON.stringify(message),
    'Find what in the past conversation is relevant to it and reply to the user. Facts change over time: the most recent',
    'statement wins, but mention what it replaced. Ignore facts about other people. Cite the date and message id of each fact',
    'you rely on. Earlier turns of this conversation (questions and your answers) are in the REPL variable `history`.',
  ].join('\n');
}

/** A chat agent that remembers a long history through an RLM session. Close it when done. */
export class MemoryAgent {
  readonly #session: MemorySession;
  readonly #saveTrajectory: string | undefined;

  /**
   * Opens the session (no I/O until the first message). With `saveTrajectory`, each turn's
   * trajectory is written next to it as `<name>.turn-<n>.json`.
   */
  constructor(rlm: RecursiveLanguageModel, pastConversation: readonly ChatMessage[], options: { readonly saveTrajectory?: string } = {}) {
    this.#session = rlm.session({ context: pastConversation });
    this.#saveTrajectory = options.saveTrajectory;
  }

  /** Answers one user message; resolves for every outcome (check `status`). Turns run one at a time. */
  async respond(message: string): Promise<TurnResult> {
    const turn = this.#session.history.length + 1;
    const result = await this.#session.query({
      question: memoryQuestion(message),
      ...(this.#saveTrajectory === undefined ? {} : { saveTrajectory: trajectoryPathFor(this.#saveTrajectory, `turn-${turn}`) }),
    });
    return { ...result, answer: result.answer };
  }

  /** Turns answered so far, oldest first. */
  get turns(): MemorySession['history'] {
    return this.#session.history;
  }

  /** Frees the sandbox. Idempotent. */
  close(): Promise<void> {
    return this.#session.close();
  }
}
