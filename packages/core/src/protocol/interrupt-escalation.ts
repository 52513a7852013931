const noop = (): void => {};

/**
 * Escalation after interrupting a cell: send the interrupt now, again (plus the transport's own
 * SIGINT, if it has one) halfway through the grace period, and give up at its end.
 */
export class InterruptEscalation {
  readonly #graceMs: number;
  #timers: NodeJS.Timeout[] = [];
  #transportInterrupt: Promise<void> = Promise.resolve();

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  /** Settles once a transport-level interrupt started by {@link start} has completed. */
  get settled(): Promise<void> {
    return this.#transportInterrupt;
  }

  /**
   * @param interrupt sends the in-band interrupt (called now and at half the grace period).
   * @param transportInterrupt the transport's SIGINT, tried at half the grace period when present.
   * @param expired called when the grace period ends without {@link stop}.
   */
  start(interrupt: () => void, transportInterrupt: (() => void | Promise<void>) | undefined, expired: () => void): void {
    this.stop();
    interrupt();
    this.#timers.push(
      setTimeout(() => {
        interrupt();
        if (transportInterrupt !== undefined) {
          this.#transportInterrupt = Promise.resolve().then(transportInterrupt).catch(noop);
        }
      }, this.#graceMs / 2),
      setTimeout(expired, this.#graceMs),
    );
  }

  /** Cancels the pending steps (the cell answered, or the session ended). */
  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
  }
}
