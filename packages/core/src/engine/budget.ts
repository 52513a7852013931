import { RLMAbortError } from '../errors/errors.js';
import type { ModelPricing } from '../spec/usage.js';
import { computeCostUsd } from './usage.js';

/** Why a run stopped early. */
export type StopReason = 'budget_exhausted' | 'timeout' | 'aborted';

/** Limits shared by a root run and all its children. */
export interface BudgetLimits {
  readonly maxTotalTokens?: number;
  readonly maxCostUsd?: number;
  /** Absolute deadline (ms since epoch) from `timeoutMs`. */
  readonly deadline?: number;
}

/** What a call about to start asks of the budget. */
export interface ReservationRequest {
  /** `provider:modelId`: allowances are learnt per model. */
  readonly model: string;
  /** Estimated prompt tokens. */
  readonly promptTokens: number;
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
 * Before a model call starts it reserves its estimated prompt tokens plus an output allowance (the
 * call's `maxOutputTokens`, else the largest output seen so far from that model) and a cost
 * allowance (from the price table, else the largest cost seen from that model). A call whose
 * reservation does not fit waits for calls in flight to finish; with nothing in flight it starts
 * alone (so the tree overshoots by at most that one call) unless its prompt alone is past the
 * limit. A model's first call, whose output is unknown, also runs alone while a limit is set.
 * Backends that report no usage are charged an estimate (prompt + answer, UTF-8 bytes / 4).
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

  /** Returns why the tree must stop, or `undefined` to go on. Checked before every root call. */
  check(): StopReason | undefined {
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
      const stop = this.check();
      if (stop !== undefined) return stop;
      const { maxTotalTokens, maxCostUsd } = this.limits;
      const seenOutput = this.largestOutput.get(request.model);
      const outputAllowance = request.maxOutputTokens ?? seenOutput;
      const tokens = request.promptTokens + (outputAllowance ?? 0);
      const costAllowance =
        request.pricing !== undefined && outputAllowance !== undefined
          ? computeCostUsd({ inputTokens: request.promptTokens, outputTokens: outputAllowance }, request.pricing) ?? 0
          : this.largestCost.get(request.model);
      const tokensFit = maxTotalTokens === undefined || (outputAllowance !== undefined && this.spentTokens + this.reservedTokens + tokens <= maxTotalTokens);
      const costFits = maxCostUsd === undefined || (costAllowance !== undefined && this.spentCost + this.reservedCost + costAllowance <= maxCostUsd);
      if ((tokensFit && costFits) || this.inFlight === 0) {
        if (this.inFlight === 0 && maxTotalTokens !== undefined && this.spentTokens + request.promptTokens > maxTotalTokens) {
          return this.stop('budget_exhausted', `maxTotalTokens (${maxTotalTokens}) would be exceeded by the next prompt alone${this.estimateNote()}`);
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
  }

  /** A sentence saying why the budget is exhausted, for messages to the model and the result. */
  get detail(): string {
    return this.exhaustedDetail;
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
