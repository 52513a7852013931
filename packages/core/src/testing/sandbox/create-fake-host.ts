import { RLMAbortError } from '../../errors/index.js';
import type { HostBridge, HostCall } from '../../spec/index.js';

/** Options of {@link createFakeHost}. */
export interface FakeHostOptions {
  /** Wait this long before answering each call, in ms. Default 0. */
  readonly delayMs?: number;
  /**
   * Custom answers. Return `undefined` to use the default answer. A thrown error / rejected promise
   * becomes the call's failure (set `pythonType` on it to choose the Python exception).
   */
  readonly respond?: (call: HostCall) => unknown;
  /** Tool implementations by name. A tool without one answers `{ tool: name, args }`. */
  readonly tools?: Readonly<Record<string, (args: Readonly<Record<string, unknown>>) => unknown>>;
}

/** A scripted `HostBridge` for sandbox tests: deterministic answers, recorded calls, concurrency stats. */
export interface FakeHost extends HostBridge {
  /** Every call received, in arrival order. */
  readonly calls: HostCall[];
  /** Calls currently being answered. */
  readonly inFlight: number;
  /** Most calls ever in flight at once (since creation or `reset()`). */
  readonly maxInFlight: number;
  /** Calls that ended because their `abortSignal` fired. */
  readonly abortedCalls: number;
  /**
   * Makes calls matching `predicate` fail with `error` (an error, or a factory called per call).
   * Rules accumulate until `reset()`.
   */
  failWhen(predicate: (call: HostCall) => boolean, error: Error | ((call: HostCall) => Error)): void;
  /**
   * Holds every call until `count` calls are in flight at once (then releases them all), or until
   * `timeoutMs` (default 5 000) passed for that call. Used to prove that calls can overlap without
   * asserting on timing. `holdUntilConcurrent(0)` turns it off.
   */
  holdUntilConcurrent(count: number, timeoutMs?: number): void;
  /** Clears recorded calls, statistics (`maxInFlight` restarts from `inFlight`), failure rules and the hold. */
  reset(): void;
}

/**
 * Creates a {@link FakeHost}. Default answers:
 * - `llm_query` → `` `llm:${prompt}` ``; `llm_query_batched` → one `llm:` answer per prompt;
 * - `rlm_query` → `` `rlm:${prompt}` ``; `rlm_query_batched` → one `rlm:` answer per prompt;
 * - `tool` → the tool function from `options.tools`, else `{ tool: name, args }`.
 *
 * Calls honour their `abortSignal` while delayed or held (rejecting with `RLMAbortError`).
 */
export function createFakeHost(options: FakeHostOptions = {}): FakeHost {
  let calls: HostCall[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  let abortedCalls = 0;
  let rules: Array<{ predicate: (call: HostCall) => boolean; error: Error | ((call: HostCall) => Error) }> = [];
  let hold: { count: number; timeoutMs: number } | undefined;
  const waiters = new Set<() => void>();

  const releaseIfConcurrent = (): void => {
    if (hold !== undefined && inFlight >= hold.count) {
      for (const release of [...waiters]) release();
    }
  };

  const pause = (ms: number, signal: AbortSignal | undefined, held: boolean): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        clearTimeout(timer);
        waiters.delete(done);
        reject(new RLMAbortError('The host call was aborted.', { cause: signal?.reason }));
      };
      const timer = setTimeout(done, ms);
      if (held) waiters.add(done);
      if (signal?.aborted === true) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });

  const answer = async (call: HostCall): Promise<unknown> => {
    for (const rule of rules) {
      if (rule.predicate(call)) throw typeof rule.error === 'function' ? rule.error(call) : rule.error;
    }
    const custom = options.respond === undefined ? undefined : await options.respond(call);
    if (custom !== undefined) return custom;
    switch (call.op) {
      case 'llm_query':
        return `llm:${call.prompt}`;
      case 'llm_query_batched':
        return call.prompts.map((prompt) => `llm:${prompt}`);
      case 'rlm_query':
        return `rlm:${call.prompt}`;
      case 'rlm_query_batched':
        return call.prompts.map((prompt) => `rlm:${prompt}`);
      case 'tool': {
        const implementation = options.tools?.[call.name];
        return implementation === undefined ? { tool: call.name, args: call.args } : await implementation(call.args);
      }
    }
  };

  return {
    get calls() {
      return calls;
    },
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get abortedCalls() {
      return abortedCalls;
    },
    async call(request: HostCall, callOptions: { readonly abortSignal?: AbortSignal } = {}): Promise<unknown> {
      calls.push(request);
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const signal = callOptions.abortSignal;
      try {
        if (hold !== undefined) {
          releaseIfConcurrent();
          if (inFlight < hold.count) await pause(hold.timeoutMs, signal, true);
        }
        if ((options.delayMs ?? 0) > 0) await pause(options.delayMs ?? 0, signal, false);
        if (signal?.aborted === true) throw new RLMAbortError('The host call was aborted.', { cause: signal.reason });
        return await answer(request);
      } catch (error) {
        if (signal?.aborted === true) abortedCalls += 1;
        throw error;
      } finally {
        inFlight -= 1;
      }
    },
    failWhen(predicate, error) {
      rules.push({ predicate, error });
    },
    holdUntilConcurrent(count: number, timeoutMs = 5_000) {
      hold = count > 0 ? { count, timeoutMs } : undefined;
      if (hold === undefined) for (const release of [...waiters]) release();
    },
    reset() {
      calls = [];
      maxInFlight = inFlight;
      abortedCalls = 0;
      rules = [];
      hold = undefined;
      for (const release of [...waiters]) release();
    },
  };
}
