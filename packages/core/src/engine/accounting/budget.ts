import { RLMAbortError } from '../../errors/errors.js';
import type { ModelPricing } from '../../spec/usage.js';
import { computeCostUsd } from './usage.js';

/** Why a run stopped early. */
export type StopReason = 'budget_exhausted' | 'timeout' | 'aborted';

/** Limits shared by a root run and all its children. */
export interface BudgetLimits {
  readonly maxTotalTokens?: number;
  readonly maxCostUsd?: number;
  /** Sub-calls of the tree (each prompt of a batch counts once). Default: unlimited. */
  readonly maxSubcalls?: number;
  /** Absolute deadline (ms since epoch) from `timeoutMs`. */
  readonly deadline?: number;
}

/** What a call about to start asks of the budget. */
export interface ReservationRequest {
  /** `provider:modelId`: allowances are learnt per model. */
  readonly model: string;
  /**
   * An upper bound of the prompt's tokens (`promptTokenUpperBound`): reserved while the call is in
   * flight, so calls started together never spend more than was reserved for their prompts.
   */
  readonly promptTokens: number;
  /**
   * A typical estimate of the prompt's tokens (`promptTokenEstimate`). A call that starts alone is
   * refused only when even this is past the limit. Default: `promptTokens`.
   */
  readonly promptEstimate?: number;
  /** The call's output cap, when it has one (bounds the output allowance). */
  readonly maxOutputTokens?: number;
  readonly pricing?: ModelPricing;
  readonly signal: AbortSignal;
}

/** What a finished call spent. */
export interface Charge {
  readonly model: string;
  /** Tokens as reported, or estimated when the backend reported none. */
  readonly tokens: number;
  readonly outputTokens: number;
  readonly costUsd: number | undefined;
  /** True when `tokens` is an estimate (the backend reported no usage). */
  readonly estimated: boolean;
}

/** A reservation for a call in flight; `release()` when the call ends (after `charge`). */
export interface Reservation {
  release(): void;
}

/**
 * The budgets of one run tree, hard to within one call.
 *
 * Before a model call starts it reserves an upper bound of its prompt tokens (UTF-8 bytes plus the
 * chat format's overhead: no tokenizer in use takes more, whatever the script) plus an output
 * allowance (the call's `maxOutputTokens`, else the largest output seen so far from that model) and
 * a cost allowance (the price table applied to those tokens, else the largest cost seen from that
 * model, scaled up for a larger call). A call whose reservation does not fit waits for calls in
 * flight to finish; with nothing in flight it starts alone (so the tree overshoots by at most that
 * one call) unless even the typical estimate of its prompt (or, with a price table, that prompt's
 * cost) is past the limit. A model's first call,
 * whose output is unknown, also runs alone while a limit is set. When a call ends, its real usage
 * is charged and its reservation released. Backends that report no usage are charged the typical
 * estimate (prompt + answer, UTF-8 bytes / 4).
 *
 * The tree's sub-call count is kept here too (`admitSubcall`): past `maxSubcalls` the tree stops
 * like a spent token budget.
 */
export class Budget {
  private spentTokens = 0;
  private spentCost = 0;
  private reservedTokens = 0;
  private reservedCost = 0;
  private inFlight = 0;
  private estimatedCalls = 0;
  private readonly largestOutput = new Map<string, number>();
  private readonly largestCost = new Map<string, number>();
  /** Largest cost per token seen from each model (calls with a known cost and token count). */
  private readonly largestRate = new Map<string, number>();
  private subcalls = 0;
  private subcallLimitReached = false;
  private waiters: Array<() => void> = [];
  /** Why the tree must stop, once known (sticky). */
  private stopReason: StopReason | undefined;
  private exhaustedDetail = '';

  constructor(
    readonly limits: BudgetLimits,
    readonly signal: AbortSignal,
  ) {}

  /** Milliseconds left before the deadline (Infinity without one). */
  remainingMs(): number {
    return this.limits.deadline === undefined ? Infinity : this.limits.deadline - Date.now();
  }

  /**
   * Returns why the tree must stop, or `undefined` to go on. Checked before every root call. A
   * reached `maxSubcalls` stops the tree here, at its next root call, so sub-calls admitted before
   * the limit still finish.
   */
  check(): StopReason | undefined {
    const stop = this.spendCheck();
    if (stop !== undefined || !this.subcallLimitReached) return stop;
    return this.stop('budget_exhausted', `maxSubcalls (${this.limits.maxSubcalls} sub-calls per run tree) was reached`);
  }

  /** Like `check`, without the sub-call limit: what stops a call already admitted. */
  private spendCheck(): StopReason | undefined {
    if (this.signal.aborted) return 'aborted';
    if (this.stopReason !== undefined) return this.stopReason;
    if (this.remainingMs() <= 0) return this.stop('timeout', 'the time limit of the run was reached');
    const { maxTotalTokens, maxCostUsd } = this.limits;
    if (maxTotalTokens !== undefined && this.spentTokens >= maxTotalTokens) {
      return this.stop('budget_exhausted', `maxTotalTokens (${maxTotalTokens}) was reached${this.estimateNote()}`);
    }
    if (maxCostUsd !== undefined && this.spentCost >= maxCostUsd) return this.stop('budget_exhausted', `maxCostUsd ($${maxCostUsd}) was reached`);
    return undefined;
  }

  /**
   * Reserves room for a call about to start, waiting for calls in flight when it does not fit yet.
   * Resolves with the reason instead when the budget is spent; rejects with `RLMAbortError` on abort.
   */
  async reserve(request: ReservationRequest): Promise<Reservation | StopReason> {
    for (;;) {
      const stop = this.spendCheck();
      if (stop !== undefined) return stop;
      const { maxTotalTokens, maxCostUsd } = this.limits;
      const seenOutput = this.largestOutput.get(request.model);
      const outputAllowance = request.maxOutputTokens ?? seenOutput;
      const tokens = request.promptTokens + (outputAllowance ?? 0);
      const costAllowance = this.costAllowance(request, outputAllowance, tokens);
      const tokensFit = maxTotalTokens === undefined || (outputAllowance !== undefined && this.spentTokens + this.reservedTokens + tokens <= maxTotalTokens);
      const costFits = maxCostUsd === undefined || (costAllowance !== undefined && this.spentCost + this.reservedCost + costAllowance <= maxCostUsd);
      if ((tokensFit && costFits) || this.inFlight === 0) {
        const estimate = request.promptEstimate ?? request.promptTokens;
        if (this.inFlight === 0 && maxTotalTokens !== undefined && this.spentTokens + estimate > maxTotalTokens) {
          return this.stop('budget_exhausted', `maxTotalTokens (${maxTotalTokens}) would be exceeded by the next prompt alone${this.estimateNote()}`);
        }
        const promptCost = request.pricing === undefined ? undefined : computeCostUsd({ inputTokens: estimate, outputTokens: 0 }, request.pricing);
        if (this.inFlight === 0 && maxCostUsd !== undefined && promptCost !== undefined && this.spentCost + promptCost > maxCostUsd) {
          return this.stop('budget_exhausted', `maxCostUsd ($${maxCostUsd}) would be exceeded by the next prompt alone (about $${promptCost.toFixed(4)})`);
        }
        return this.hold(tokens, costAllowance ?? 0);
      }
      await this.nextRelease(request.signal);
    }
  }

  /** Records what a finished call spent (reserved or not, e.g. the closing "answer now" call). */
  charge(charge: Charge): void {
    this.spentTokens += charge.tokens;
    this.spentCost += charge.costUsd ?? 0;
    if (charge.estimated) this.estimatedCalls++;
    this.largestOutput.set(charge.model, Math.max(this.largestOutput.get(charge.model) ?? 0, charge.outputTokens));
    this.largestCost.set(charge.model, Math.max(this.largestCost.get(charge.model) ?? 0, charge.costUsd ?? 0));
    if (charge.costUsd !== undefined && charge.tokens > 0) {
      this.largestRate.set(charge.model, Math.max(this.largestRate.get(charge.model) ?? 0, charge.costUsd / charge.tokens));
    }
  }

  /**
   * Counts one sub-call of the tree, or says why it may not start: `'maxSubcalls'` once the tree has
   * made `maxSubcalls` of them (the tree then stops at its next root call with `budget_exhausted`,
   * as when a token budget is spent), or the reason the tree already stopped.
   */
  admitSubcall(): true | 'maxSubcalls' | StopReason {
    const { maxSubcalls } = this.limits;
    if (maxSubcalls !== undefined && this.subcalls >= maxSubcalls) {
      this.subcallLimitReached = true;
      return 'maxSubcalls';
    }
    const stop = this.spendCheck();
    if (stop !== undefined) return stop;
    this.subcalls++;
    return true;
  }

  /** A sentence saying why the budget is exhausted, for messages to the model and the result. */
  get detail(): string {
    return this.exhaustedDetail;
  }

  /**
   * The cost a call may reach: with a price table, its reserved tokens at those prices (an upper
   * bound); without one, the largest cost seen from the model, or its largest cost per token times
   * the tokens reserved when that is more (a learnt figure, not a bound: see docs/budgets.md).
   */
  private costAllowance(request: ReservationRequest, outputAllowance: number | undefined, tokens: number): number | undefined {
    if (request.pricing !== undefined && outputAllowance !== undefined) {
      return computeCostUsd({ inputTokens: request.promptTokens, outputTokens: outputAllowance }, request.pricing) ?? 0;
    }
    const largest = this.largestCost.get(request.model);
    if (largest === undefined) return undefined;
    return Math.max(largest, (this.largestRate.get(request.model) ?? 0) * tokens);
  }

  private hold(tokens: number, cost: number): Reservation {
    this.reservedTokens += tokens;
    this.reservedCost += cost;
    this.inFlight++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.reservedTokens -= tokens;
        this.reservedCost -= cost;
        this.inFlight--;
        const waiters = this.waiters;
        this.waiters = [];
        for (const wake of waiters) wake();
      },
    };
  }

  private nextRelease(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new RLMAbortError());
      const onAbort = () => reject(new RLMAbortError());
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  private estimateNote(): string {
    return this.estimatedCalls === 0 ? '' : ` (${this.estimatedCalls} call${this.estimatedCalls === 1 ? '' : 's'} reported no usage and were counted by estimate)`;
  }

  private stop(reason: StopReason, detail: string): StopReason {
    this.stopReason = reason;
    this.exhaustedDetail = detail;
    return reason;
  }
}
