import type { FrameTransportHandlers, TransportExit } from '@rlms/core';

/**
 * Holds the runtime's output and exit until `FrameTransport.start(handlers)` attaches the
 * session, then forwards them in order. The exit is delivered once.
 */
export class TransportRelay implements FrameTransportHandlers {
  #handlers: FrameTransportHandlers | undefined;
  #queue: ((handlers: FrameTransportHandlers) => void)[] = [];
  #exit: TransportExit | undefined;

  /** The exit, once the process has ended. */
  get exit(): TransportExit | undefined {
    return this.#exit;
  }

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

  onStdout(chunk: Uint8Array): void {
    if (this.#exit === undefined) this.#deliver((handlers) => handlers.onStdout(chunk));
  }

  onStderr(chunk: Uint8Array): void {
    if (this.#exit === undefined) this.#deliver((handlers) => handlers.onStderr(chunk));
  }

  onExit(exit: TransportExit): void {
    if (this.#exit !== undefined) return;
    this.#exit = exit;
    this.#deliver((handlers) => handlers.onExit(exit));
  }
}
