import type { UsageTracker } from './usage.js';

/** Why a run stopped early. */
export type StopReason = 'budget_exhausted' | 'timeout' | 'aborted';

/** Limits shared by a root run and all its children. */
export interface BudgetLimits {
  readonly maxTotalTokens?: number;
  readonly maxCostUsd?: number;
  /** Absolute deadline (ms since epoch) from `timeoutMs`. */
  readonly deadline?: number;
}

/** A token reservation for a call in flight; released when the call ends. */
export interface Reservation {
  readonly tokens: number;
  release(): void;
}

/**
 * The budgets of one run tree. Model calls reserve their estimated prompt tokens before they
 * start, so sub-calls in flight together (batched) are counted before they run: a tree never
 * exceeds `maxTotalTokens` by more than the output of the calls in flight plus the error of the
 * estimate, and never by more than one call once calls are sequential.
 */
export class Budget {
  private reservedTokens = 0;
  /** Why the tree must stop, once known (sticky). */
  private stopReason: StopReason | undefined;
  private exhaustedDetail = '';

  constructor(
    readonly limits: BudgetLimits,
    private readonly usage: UsageTracker,
    readonly signal: AbortSignal,
  ) {}

  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(): number {
    return this.limits.deadline === undefined ? Infinity : this.limits.deadline - Date.now();
  }

  /** Returns why the tree must stop, or `undefined` to go on. Checked before every model call. */
  check(): StopReason | undefined {
    if (this.signal.aborted) return 'aborted';
    if (this.stopReason !== undefined) return this.stopReason;
    if (this.remainingMs() <= 0) return this.stop('timeout', `the time limit of the run was reached`);
    const { maxTotalTokens, maxCostUsd } = this.limits;
    if (maxTotalTokens !== undefined && this.usage.totalTokens + this.reservedTokens >= maxTotalTokens) {
      return this.stop('budget_exhausted', `maxTotalTokens (${maxTotalTokens}) was reached`);
    }
    if (maxCostUsd !== undefined && this.usage.totalCostUsd >= maxCostUsd) {
      return this.stop('budget_exhausted', `maxCostUsd ($${maxCostUsd}) was reached`);
    }
    return undefined;
  }

  /**
   * Reserves `tokens` for a call about to start. Returns the reason instead when the budget is
   * already spent or the reservation would overrun `maxTotalTokens`.
   */
  reserve(tokens: number): Reservation | StopReason {
    const stop = this.check();
    if (stop !== undefined) return stop;
    const { maxTotalTokens } = this.limits;
    if (maxTotalTokens !== undefined && this.usage.totalTokens + this.reservedTokens + tokens > maxTotalTokens) {
      return this.stop('budget_exhausted', `maxTotalTokens (${maxTotalTokens}) would be exceeded`);
    }
    this.reservedTokens += tokens;
    let released = false;
    return {
      tokens,
      release: () => {
        if (released) return;
        released = true;
        this.reservedTokens -= tokens;
      },
    };
  }

  /** A sentence saying why the budget is exhausted, for messages to the model and the result. */
  get detail(): string {
    return this.exhaustedDetail;
  }

  private stop(reason: StopReason, detail: string): StopReason {
    this.stopReason = reason;
    this.exhaustedDetail = detail;
    return reason;
  }
}
