/**
 * How a run answers:
 * - `'rlm'`: a Recursive Language Model run: the root model writes code in a sandboxed REPL that
 *   holds the context, and finishes with `FINAL` (child runs are always `'rlm'`);
 * - `'direct'`: one plain model call with the whole context in the prompt (see `renderContext`,
 *   `buildDirectMessages`); no sandbox, no code. Cheaper and faster when the context fits well
 *   within the model's window.
 */
export type RunMode = 'rlm' | 'direct';

/** The modes a query may ask for. */
export const RUN_MODES: readonly RunMode[] = ['rlm', 'direct'];
