import { resolveSettings, type ResolvedSettings } from './resolve-settings.js';
import type { RLMResult } from './result.js';
import type { RLMEvent } from './events.js';
import { createRLMSession, type RLMSession, type RLMSessionOptions } from './rlm-session.js';
import type { RLMSettings } from './settings.js';
import { streamEvents } from './event-stream.js';
import type { AnswerSchema } from '../schema/schema.js';
import { runQuery, type AnswerOf, type RLMQueryOptions } from '../run/run-prepared.js';

export { runQuery, runPrepared, type AnswerOf, type RLMQueryOptions, type RunExtras } from '../run/run-prepared.js';


/** A streamed run: iterate the events; `result` resolves when the run ends. */
export interface RLMStream<TAnswer = string> extends AsyncIterable<RLMEvent> {
  readonly result: Promise<RLMResult<TAnswer>>;
}

/** A configured Recursive Language Model. */
export interface RLM {
  readonly settings: ResolvedSettings;
  /**
   * Answers `question` over `context`. Resolves with a result for every outcome of the run
   * (see `RLMResult.status`); rejects only for invalid input (`ContextError`, `ConfigurationError`)
   * or a trajectory that cannot be written.
   */
  query<S extends AnswerSchema | undefined = undefined>(options: RLMQueryOptions<S>): Promise<RLMResult<AnswerOf<S>>>;
  /** Like `query`, as an async iterable of events ending with `run-end`. */
  stream<S extends AnswerSchema | undefined = undefined>(options: RLMQueryOptions<S>): RLMStream<AnswerOf<S>>;
  /**
   * Opens a multi-turn session over one context: one sandbox and one REPL namespace across questions,
   * earlier turns available in the REPL as `history`. Close it with `session.close()`.
   */
  session(options: RLMSessionOptions): RLMSession;
}



/**
 * Creates an RLM. Does no I/O: sandbox sessions are created per query and always destroyed.
 * Throws `ConfigurationError` for invalid settings.
 */
export function createRLM(settings: RLMSettings): RLM {
  const resolved = resolveSettings(settings);

  async function query<S extends AnswerSchema | undefined = undefined>(options: RLMQueryOptions<S>): Promise<RLMResult<AnswerOf<S>>> {
    return runQuery(resolved, options, {}) as Promise<RLMResult<AnswerOf<S>>>;
  }

  function stream<S extends AnswerSchema | undefined = undefined>(options: RLMQueryOptions<S>): RLMStream<AnswerOf<S>> {
    return streamEvents((onEvent) => query<S>({ ...options, onEvent }), options.onEvent);
  }

  return {
    settings: resolved,
    query,
    stream,
    session: (options) => createRLMSession(resolved, options),
  };
}
