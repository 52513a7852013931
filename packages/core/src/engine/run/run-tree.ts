import type { ModelProviderV1 } from '../../spec/model-provider-v1.js';
import type { Budget } from '../accounting/budget.js';
import type { RLMEvent } from '../api/events.js';
import type { Semaphore } from './semaphore.js';
import type { ResolvedSettings } from '../api/resolve-settings.js';
import type { UsageTracker } from '../accounting/usage.js';

/** State shared by a root run and all its child runs. */
export interface RunTree {
  readonly settings: ResolvedSettings;
  readonly usage: UsageTracker;
  readonly budget: Budget;
  readonly semaphore: Semaphore;
  /**
   * Limits child runs started at a depth to `maxSubcallConcurrency` at once. One semaphore per depth:
   * a single shared one could deadlock, children holding every slot while waiting on grandchildren.
   */
  childSlots(depth: number): Semaphore;
  /** The caller's abort signal only. */
  readonly userSignal: AbortSignal;
  /** Aborts every run of the tree: the caller's signal or the `timeoutMs` deadline. */
  readonly signal: AbortSignal;
  readonly emit: (event: RLMEvent) => void;
  /** Sub-calls made so far (each prompt of a batch counts once). */
  subcalls: number;
  /** Sub-calls in flight now. */
  inFlight: number;
  /** Model calls served from `settings.cache`. */
  cacheHits: number;
  /** Returns a fresh id with the given prefix, unique in the tree. */
  nextId(prefix: string): string;
}

/**
 * Why the tree's signal fired: the caller's abort, or the `timeoutMs` deadline (the only other
 * thing that fires it; its timer may fire a millisecond before the clock reads the deadline). On a
 * busy machine the deadline can pass before a run's first check: that is still a timeout.
 */
export function abortCause(tree: RunTree): 'aborted' | 'timeout' {
  if (tree.userSignal.aborted) return 'aborted';
  return tree.budget.remainingMs() <= 0 || (tree.settings.timeoutMs !== undefined && tree.signal.aborted) ? 'timeout' : 'aborted';
}

/** `provider:modelId`, the key of a model in usage tables and trajectories. */
export function modelKey(model: ModelProviderV1): string {
  return `${model.provider}:${model.modelId}`;
}
