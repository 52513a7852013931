import { RLMAbortError } from '../errors/index.js';
import type { HostBridge, HostCall } from '../spec/index.js';
import { hostCallFromWire, hostErrorToWire } from './wire-conversions.js';
import type { WireError } from './wire-types.js';

interface HostCallState {
  readonly controller: AbortController;
  cancelled: boolean;
}

/**
 * Runs the runtime's `host_call` frames against a `HostBridge`, each with its own
 * `AbortController`, and answers with `host_result` frames through `send`.
 */
export class HostCallDispatcher {
  readonly #host: HostBridge;
  readonly #send: (frame: Readonly<Record<string, unknown>>) => void;
  readonly #canAnswer: () => boolean;
  readonly #calls = new Map<string, HostCallState>();

  /**
   * @param send queues a frame to the runtime; throws synchronously when it is not JSON-serialisable.
   * @param canAnswer false once the session is dead (answers are then dropped).
   */
  constructor(host: HostBridge, send: (frame: Readonly<Record<string, unknown>>) => void, canAnswer: () => boolean) {
    this.#host = host;
    this.#send = send;
    this.#canAnswer = canAnswer;
  }

  /** Starts one host call. Malformed calls are answered with a `TypeError` without reaching the host. */
  dispatch(id: string, op: unknown, payload: unknown): void {
    let request: HostCall;
    try {
      request = hostCallFromWire(op, payload);
    } catch (error) {
      this.#answer(id, undefined, { ok: false, error: { type: 'TypeError', message: errorMessage(error) } });
      return;
    }
    const state: HostCallState = { controller: new AbortController(), cancelled: false };
    this.#calls.set(id, state);
    let result: Promise<unknown>;
    try {
      result = Promise.resolve(this.#host.call(request, { abortSignal: state.controller.signal }));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      (value) => this.#answer(id, state, { ok: true, value }),
      (error: unknown) => this.#answer(id, state, { ok: false, error: hostErrorToWire(error) }),
    );
  }

  /** The runtime stopped waiting for `id` (`host_cancel`): abort it and never answer it. */
  cancel(id: string): void {
    const state = this.#calls.get(id);
    if (state === undefined) return;
    state.cancelled = true;
    state.controller.abort(new RLMAbortError('The Python code stopped waiting for this call (it was interrupted).'));
  }

  /** Aborts every call in flight (their failures are still answered while the session lives). */
  abortAll(message: string): void {
    for (const state of this.#calls.values()) {
      if (!state.controller.signal.aborted) state.controller.abort(new RLMAbortError(message));
    }
  }

  #answer(id: string, state: HostCallState | undefined, outcome: { ok: true; value: unknown } | { ok: false; error: WireError }): void {
    if (state !== undefined && this.#calls.get(id) === state) this.#calls.delete(id);
    if (state?.cancelled === true || !this.#canAnswer()) return;
    try {
      if (outcome.ok) this.#send({ type: 'host_result', id, ok: true, value: outcome.value ?? null });
      else this.#send({ type: 'host_result', id, ok: false, error: outcome.error });
    } catch (error) {
      this.#send({
        type: 'host_result',
        id,
        ok: false,
        error: { type: 'TypeError', message: `The host returned a value that is not JSON-serialisable: ${errorMessage(error)}` },
      });
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
