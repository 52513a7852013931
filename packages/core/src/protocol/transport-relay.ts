import type { FrameTransportHandlers, TransportExit } from './frame-transport.js';

/**
 * Buffers a runtime's output and exit until the session attaches, for transports whose process
 * starts (and may already write its `ready` frame, or die) before `FrameTransport.start(handlers)`
 * is called: an SDK callback, a log stream, a pumped `ReadableStream`.
 *
 * Feed it the process's events (`onStdout`, `onStderr`, `onExit`) as they happen, and call
 * {@link attach} from `start`. Events are forwarded in order; nothing arrives after the exit, and
 * the exit is delivered once (later calls are ignored).
 *
 * @example
 * ```ts
 * const relay = new TransportRelay();
 * process.onOutput((bytes) => relay.onStdout(bytes));
 * process.wait().then((code) => relay.onExit({ code }), (error: unknown) => relay.onExit({ error }));
 * const transport: FrameTransport = { start: (handlers) => relay.attach(handlers), … };
 * ```
 */
export class TransportRelay implements FrameTransportHandlers {
  #handlers: FrameTransportHandlers | undefined;
  #queue: ((handlers: FrameTransportHandlers) => void)[] = [];
  #exit: TransportExit | undefined;

  /** The exit, once the process has ended (whether or not it was delivered yet). */
  get exit(): TransportExit | undefined {
    return this.#exit;
  }

  /**
   * Delivers the buffered events to `handlers`, then forwards later ones as they come.
   * @throws Error when called twice (`FrameTransport.start()` is called once per transport).
   */
  attach(handlers: FrameTransportHandlers): void {
    if (this.#handlers) throw new Error('FrameTransport.start() was called twice.');
    this.#handlers = handlers;
    const queued = this.#queue;
    this.#queue = [];
    for (const deliver of queued) deliver(handlers);
  }

  #deliver(event: (handlers: FrameTransportHandlers) => void): void {
    if (this.#handlers) event(this.#handlers);
    else this.#queue.push(event);
  }

  /** Bytes on the runtime's stdout; dropped after the exit. */
  onStdout(chunk: Uint8Array): void {
    if (this.#exit === undefined) this.#deliver((handlers) => handlers.onStdout(chunk));
  }

  /** Bytes on the runtime's stderr; dropped after the exit. */
  onStderr(chunk: Uint8Array): void {
    if (this.#exit === undefined) this.#deliver((handlers) => handlers.onStderr(chunk));
  }

  /** The runtime ended; only the first call counts. */
  onExit(exit: TransportExit): void {
    if (this.#exit !== undefined) return;
    this.#exit = exit;
    this.#deliver((handlers) => handlers.onExit(exit));
  }
}
