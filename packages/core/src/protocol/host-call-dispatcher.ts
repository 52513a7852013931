import { RLMAbortError } from '../errors/index.js';
import type { HostBridge, HostCall } from '../spec/index.js';
import { replyAttachment } from './reply-attachment.js';
import { hostCallFromWire, hostErrorToWire } from './wire-conversions.js';
import type { WireError } from './wire-types.js';

interface HostCallState {
  readonly controller: AbortController;
  /** Size of the call's frame, counted against {@link HostCallLimits.maxBytes} until it is answered. */
  readonly bytes: number;
  cancelled: boolean;
}

/** Told when a call starts and when it ends (answered, failed or cancelled): what the cell's clock needs. */
export interface HostCallActivity {
  started(): void;
  ended(): void;
  /** Part of a call finished (a prompt of a batch). */
  progress(): void;
}

/** How much the host holds for host calls in flight at once (each waits for a sub-call slot). */
export interface HostCallLimits {
  /** Calls in flight at once; more are refused with a `RuntimeError` in Python. */
  readonly maxCalls: number;
  /** Bytes of the frames of the calls in flight; a call that would go past it is refused. */
  readonly maxBytes: number;
}

/**
 * Runs the runtime's `host_call` frames against a `HostBridge`, each with its own
 * `AbortController`, and answers with `host_result` frames through `send`.
 */
export class HostCallDispatcher {
  readonly #host: HostBridge;
  readonly #send: (frame: Readonly<Record<string, unknown>>, attachment?: Uint8Array) => void;
  readonly #canAnswer: () => boolean;
  readonly #calls = new Map<string, HostCallState>();
  readonly #limits: HostCallLimits;
  readonly #activity: HostCallActivity | undefined;
  #bytes = 0;

  /**
   * @param send queues a frame (and its attachment) to the runtime; throws synchronously when it is not JSON-serialisable.
   * @param canAnswer false once the session is dead (answers are then dropped).
   * @param activity told when each dispatched call starts and ends.
   */
  constructor(
    host: HostBridge,
    send: (frame: Readonly<Record<string, unknown>>, attachment?: Uint8Array) => void,
    canAnswer: () => boolean,
    limits: HostCallLimits = { maxCalls: Number.POSITIVE_INFINITY, maxBytes: Number.POSITIVE_INFINITY },
    activity?: HostCallActivity,
  ) {
    this.#host = host;
    this.#send = send;
    this.#canAnswer = canAnswer;
    this.#limits = limits;
    this.#activity = activity;
  }

  /** True while call `id` is in flight (a second call with the same id breaks the protocol). */
  has(id: string): boolean {
    return this.#calls.has(id);
  }

  /**
   * Starts one host call. Malformed calls are answered with a `TypeError` without reaching the
   * host; a call past the in-flight limits (count or bytes) with a `RuntimeError`.
   *
   * @param bytes size of the call's frame (header and attachment), held until it is answered.
   */
  dispatch(id: string, op: unknown, payload: unknown, bytes = 0): void {
    const { maxCalls, maxBytes } = this.#limits;
    if (this.#calls.size >= maxCalls || this.#bytes + bytes > maxBytes) {
      const message =
        this.#calls.size >= maxCalls
          ? `${this.#calls.size} host calls are already in flight (the limit is ${maxCalls}); wait for some to finish, or use llm_query_batched / rlm_query_batched, which the host runs in parallel.`
          : `the host calls in flight already hold ${this.#bytes} bytes of prompts (the limit is ${maxBytes}); wait for some to finish before sending more large prompts.`;
      this.#answer(id, undefined, { ok: false, error: { type: 'RuntimeError', message } });
      return;
    }
    let request: HostCall;
    try {
      request = hostCallFromWire(op, payload);
    } catch (error) {
      this.#answer(id, undefined, { ok: false, error: { type: 'TypeError', message: errorMessage(error) } });
      return;
    }
    const state: HostCallState = { controller: new AbortController(), bytes, cancelled: false };
    this.#calls.set(id, state);
    this.#bytes += bytes;
    this.#activity?.started();
    let result: Promise<unknown>;
    try {
      const activity = this.#activity;
      result = Promise.resolve(
        this.#host.call(request, {
          abortSignal: state.controller.signal,
          ...(activity === undefined ? {} : { onProgress: () => activity.progress() }),
        }),
      );
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
    if (state !== undefined && this.#calls.get(id) === state) {
      this.#calls.delete(id);
      this.#bytes -= state.bytes;
      this.#activity?.ended();
    }
    if (state?.cancelled === true || !this.#canAnswer()) return;
    try {
      const reply = outcome.ok ? replyAttachment(outcome.value) : undefined;
      if (reply !== undefined) {
        // Large text answers travel as raw UTF-8 (see `replyAttachment`), not as one JSON string.
        this.#send({ type: 'host_result', id, ok: true, valueKind: reply.valueKind, valueBytes: reply.valueBytes }, reply.bytes);
      } else if (outcome.ok) this.#send({ type: 'host_result', id, ok: true, value: outcome.value ?? null });
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
