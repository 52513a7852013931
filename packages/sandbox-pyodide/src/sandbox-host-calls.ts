import { type HostBridge, type HostCall } from '@rlms/core/spec';
import { hostCallFromBody, hostCallFromWire, hostErrorToWire } from '@rlms/core/sandbox';

/** Host calls started and not yet settled (Python abandons one per interrupt); more is a protocol breach. */
export const MAX_UNSETTLED_HOST_CALLS = 32;

/**
 * The host calls one sandbox asked for: checks each request against the protocol (ids only grow,
 * a bounded number in flight), runs it on the session's `HostBridge` and hands back the reply's
 * UTF-8 JSON. The request body (JSON, then the prompts' UTF-8 bytes: see `hostCallFromBody`) is the
 * sandbox's and untrusted: one that is not a valid host call is
 * answered as model code's `TypeError`, never acted on.
 */
export class SandboxHostCalls {
  private readonly inFlight = new Map<number, AbortController>();
  private lastCallId = 0;

  /** Host calls started and not settled yet. */
  get size(): number {
    return this.inFlight.size;
  }

  /**
   * Starts call `callId`; `reply` receives the answer once it is ready (not after `abortAll`).
   * Returns why the request breaks the protocol, or undefined when it was started.
   */
  start(
    bridge: HostBridge,
    callId: number,
    body: Uint8Array,
    reply: (callId: number, json: Uint8Array) => void,
    onSettled: () => void,
    onProgress?: () => void,
  ): string | undefined {
    if (callId <= this.lastCallId) return `it reused host call id ${callId}`;
    if (this.inFlight.size >= MAX_UNSETTLED_HOST_CALLS) {
      return `it started more than ${MAX_UNSETTLED_HOST_CALLS} host calls at once`;
    }
    this.lastCallId = callId;
    const controller = new AbortController();
    this.inFlight.set(callId, controller);
    void this.run(bridge, body, controller.signal, onProgress).then((json) => {
      const live = this.inFlight.delete(callId);
      onSettled();
      if (live) reply(callId, new TextEncoder().encode(json));
    });
    return undefined;
  }

  /** Aborts one call (Python abandoned it). */
  cancel(callId: number): void {
    this.inFlight.get(callId)?.abort();
  }

  /** Aborts every call in flight (an interrupt). */
  abortInFlight(): void {
    for (const controller of this.inFlight.values()) controller.abort();
  }

  /** Aborts and forgets every call: none will be answered (the sandbox is gone). */
  abortAll(): void {
    this.abortInFlight();
    this.inFlight.clear();
  }

  private async run(bridge: HostBridge, body: Uint8Array, abortSignal: AbortSignal, onProgress: (() => void) | undefined): Promise<string> {
    try {
      let call: HostCall;
      try {
        const request = hostCallFromBody(body, (problem) => new TypeError(problem));
        call = hostCallFromWire(request.op, request.payload);
      } catch (error) {
        // The request comes from inside the sandbox: a malformed one is model code's TypeError.
        throw Object.assign(new TypeError(`invalid host call: ${(error as Error).message}`), { pythonType: 'TypeError' });
      }
      const value = await bridge.call(call, { abortSignal, ...(onProgress === undefined ? {} : { onProgress }) });
      return JSON.stringify({ ok: true, value: value ?? null });
    } catch (error) {
      return JSON.stringify({ ok: false, error: hostErrorToWire(error) });
    }
  }
}
