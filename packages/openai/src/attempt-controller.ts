/**
 * The abort signal of one HTTP attempt: fires when the caller aborts, or when the attempt's
 * time limit passes (`timedOut`). `arm()` restarts the limit (streams call it per chunk).
 */
export class AttemptController {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly onCallerAbort = (): void => this.controller.abort(this.callerSignal?.reason);
  /** True once the time limit passed. */
  timedOut = false;

  constructor(
    private readonly callerSignal: AbortSignal | undefined,
    readonly timeoutMs: number,
  ) {
    if (callerSignal?.aborted === true) this.controller.abort(callerSignal.reason);
    else callerSignal?.addEventListener('abort', this.onCallerAbort, { once: true });
    this.arm();
  }

  /** The signal to hand to the HTTP client. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True when the caller's own signal aborted. */
  get callerAborted(): boolean {
    return this.callerSignal?.aborted === true;
  }

  /** (Re)starts the time limit. */
  arm(): void {
    clearTimeout(this.timer);
    if (this.controller.signal.aborted) return;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new Error(`attempt timed out after ${this.timeoutMs} ms`));
    }, this.timeoutMs);
  }

  /** Stops the timer and the caller-signal listener. Call when the attempt ends. */
  dispose(): void {
    clearTimeout(this.timer);
    this.callerSignal?.removeEventListener('abort', this.onCallerAbort);
  }
}
