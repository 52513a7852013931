/** How a query is answered. */
export type QueryMode = 'auto' | 'rlm' | 'direct';

/** Window assumed when a model's context window is unknown (a typical self-hosted 32k model). */
export const UNKNOWN_CONTEXT_WINDOW_TOKENS = 32_768;

/** Default share of the root model's window a direct prompt may fill for `mode: 'auto'` to pick a direct call. */
export const DEFAULT_DIRECT_MAX_FRACTION = 0.5;

/** Output tokens reserved in the window when checking that a direct prompt fits (at most a quarter of the window). */
export const DIRECT_OUTPUT_RESERVE_TOKENS = 4_096;

/** Tokens a direct prompt leaves free for the answer in a window of `windowTokens`. */
export function outputReserve(windowTokens: number): number {
  return Math.min(DIRECT_OUTPUT_RESERVE_TOKENS, Math.floor(windowTokens / 4));
}

/** The outcome of {@link chooseMode}. */
export interface ModeChoice {
  readonly mode: 'rlm' | 'direct';
  /** One sentence saying why. */
  readonly reason: string;
  /** Whether the direct prompt plus the output reserve fits the window at all. */
  readonly fits: boolean;
  /** Whether it fits within `directMaxFraction` of the window. */
  readonly fitsComfortably: boolean;
}

const format = (value: number): string => Math.round(value).toLocaleString('en-US');

/**
 * The `'auto'` rule: a direct call when the whole prompt (context + question) fills at most
 * `directMaxFraction` of the root model's window, an RLM run otherwise. Past half the window,
 * answers of a plain call degrade ("context rot") even though the prompt still fits.
 *
 * @param promptTokens tokens of the direct prompt, or `undefined` when it is known to exceed `limitTokens` (not counted).
 */
export function chooseMode(options: {
  readonly promptTokens: number | undefined;
  readonly windowTokens: number | undefined;
  readonly modelName: string;
  readonly directMaxFraction?: number;
}): ModeChoice {
  const fraction = options.directMaxFraction ?? DEFAULT_DIRECT_MAX_FRACTION;
  const known = options.windowTokens !== undefined;
  const window = options.windowTokens ?? UNKNOWN_CONTEXT_WINDOW_TOKENS;
  const windowText = known ? `${options.modelName}'s ${format(window)}-token window` : `an assumed ${format(window)}-token window (${options.modelName}'s is unknown; set contextWindowTokens)`;
  const tokens = options.promptTokens;
  const fits = tokens !== undefined && tokens + outputReserve(window) <= window;
  const fitsComfortably = tokens !== undefined && tokens <= window * fraction && fits;
  if (fitsComfortably) {
    return { mode: 'direct', fits, fitsComfortably, reason: `the prompt (${format(tokens)} tokens) fits comfortably in ${windowText}: one direct call is cheaper and faster` };
  }
  if (fits) {
    return {
      mode: 'rlm',
      fits,
      fitsComfortably,
      reason: `the prompt (${format(tokens)} tokens) fills ${Math.round((tokens / window) * 100)} % of ${windowText}; long prompts degrade a direct answer, the RLM reads it through code`,
    };
  }
  return {
    mode: 'rlm',
    fits,
    fitsComfortably,
    reason: `the prompt (${tokens === undefined ? `over ${format(window * fraction)}` : format(tokens)} tokens) does not fit comfortably in ${windowText}`,
  };
}
