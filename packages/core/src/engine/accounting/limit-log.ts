/** A setting whose limit can refuse a sub-call or cut a stored text without ending the run on its own. */
export type LimitSetting =
  /** Sub-calls of the run tree; past it sub-calls are refused and the tree stops (`budget_exhausted`). */
  | 'maxSubcalls'
  /** Characters of one sub-call prompt; a longer prompt is refused before it is sent. */
  | 'maxSubcallPromptChars'
  /** The sub-model's context window (`contextWindowTokens`); a prompt estimated past 90 % of it is refused. */
  | 'contextWindowTokens'
  /** Characters of one text stored in the trajectory; a longer one is stored as head + tail. */
  | 'maxTrajectoryTextChars'
  /** Root iterations in a row whose code failed (or that had no code); then the run stops (`budget_exhausted`). */
  | 'maxConsecutiveErrors';

/** A limit a run reached: which setting, its value, and how many times it refused or cut something. */
export interface LimitReached {
  readonly setting: LimitSetting;
  /** The limit's value: sub-calls, characters, or (for `contextWindowTokens`) the smallest window that refused a prompt, in tokens. */
  readonly limit: number;
  /** Sub-calls refused, or texts cut. */
  readonly times: number;
}

/**
 * The limits one run reached. A child run's log also records into its parent's, so a root run
 * reports every limit its tree reached.
 */
export class LimitLog {
  readonly #entries = new Map<LimitSetting, { limit: number; times: number }>();

  constructor(private readonly parent?: LimitLog) {}

  /** Records that `setting` (with value `limit`) refused or cut something once. */
  record(setting: LimitSetting, limit: number): void {
    this.parent?.record(setting, limit);
    const entry = this.#entries.get(setting);
    if (entry === undefined) this.#entries.set(setting, { limit, times: 1 });
    else {
      entry.times++;
      entry.limit = Math.min(entry.limit, limit);
    }
  }

  /** The limits reached so far, in the order first reached. */
  list(): LimitReached[] {
    return [...this.#entries].map(([setting, { limit, times }]) => ({ setting, limit, times }));
  }
}
