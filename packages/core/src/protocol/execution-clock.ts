/**
 * The clock behind `execute({ timeoutMs })`: it guards against runaway Python, not against slow
 * models, so time the cell spends waiting on the host (sub-calls, tools) is not counted.
 *
 * Two rules, each bounded by `limitMs`:
 * - **Python time**: the time with no host call in flight adds up; the cell expires when the sum
 *   reaches `limitMs` (`while True: pass` stops after `limitMs`, however it interleaves with calls).
 * - **Stalls**: while host calls are in flight, a stretch of `limitMs` in which none of them finishes
 *   also expires the cell (a sub-call that never returns cannot hold the cell forever). Each
 *   finished call, and each finished prompt of a batch (`progress()`), starts a new stretch.
 *
 * A batch of 600 sub-calls at 200 ms with a 2 s limit therefore runs to its end (calls finish every
 * few milliseconds, and Python itself runs for a fraction of a second), while the run's own limits
 * (`timeoutMs`, token, cost and sub-call budgets) bound the whole wait.
 */
export class ExecutionClock {
  readonly #limitMs: number;
  readonly #onExpire: () => void;
  #inFlight = 0;
  /** Python time spent before the current running stretch began. */
  #pythonMs = 0;
  /** Start of the current stretch (running Python, or waiting without progress). */
  #since: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #done = false;

  /**
   * @param limitMs the limit of each rule, in milliseconds.
   * @param onExpire called once when a rule's limit is reached (not after `stop()`).
   */
  constructor(limitMs: number, onExpire: () => void) {
    this.#limitMs = limitMs;
    this.#onExpire = onExpire;
    this.#since = performance.now();
    this.#arm(limitMs);
  }

  /** Python time counted so far, in milliseconds. */
  get pythonMs(): number {
    return this.#pythonMs + (this.#inFlight === 0 && !this.#done ? performance.now() - this.#since : 0);
  }

  /** A host call of the cell started: Python time stops counting while any is in flight. */
  callStarted(): void {
    if (this.#done) return;
    if (this.#inFlight++ === 0) {
      this.#pythonMs += performance.now() - this.#since;
      this.#restartStall();
    }
  }

  /** A host call of the cell finished (answered, failed or cancelled): progress. */
  callEnded(): void {
    if (this.#done || this.#inFlight === 0) return;
    this.#inFlight--;
    if (this.#inFlight === 0) {
      this.#since = performance.now();
      this.#arm(this.#limitMs - this.#pythonMs);
    } else this.#restartStall();
  }

  /** Part of a call in flight finished (one prompt of a batch): progress, a new stall stretch begins. */
  progress(): void {
    if (this.#done || this.#inFlight === 0) return;
    this.#restartStall();
  }

  /** Stops the clock for good (the cell ended). Idempotent. */
  stop(): void {
    this.#done = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #restartStall(): void {
    this.#since = performance.now();
    this.#arm(this.#limitMs);
  }

  #arm(ms: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      if (this.#done) return;
      this.stop();
      this.#onExpire();
    }, Math.max(0, ms));
  }
}
