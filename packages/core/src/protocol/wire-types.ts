/**
 * JSON shapes of the wire protocol (version 3) between the host and `rlms_runtime.py`.
 * See `@rlms/core/runtime/PROTOCOL.md`. The embedded (Pyodide) `Runtime` API returns the same
 * `WireExecutionResult` / `WireContextInfo` dictionaries.
 */
import type { HostToolInfo } from '../spec/index.js';

/** Error object of a failed request or host call. `type` is a Python exception class name. */
export interface WireError {
  readonly type: string;
  readonly message: string;
  /** Original JS error name of a failed host call, for diagnostics (ignored by the runtime). */
  readonly hostType?: string;
}

/** First frame sent by the runtime once it listens. */
export interface ReadyFrame {
  readonly type: 'ready';
  readonly protocol: number;
  /** Python version, e.g. `'3.12.1'`. */
  readonly python: string;
  /** Process id of the runtime inside its sandbox. */
  readonly pid: number;
  /** Whether OS-level fds 1/2 are captured (false when no temp file could be created). */
  readonly fdCapture?: boolean;
}

/** Reply to a host request (`configure`, `load_context`, `execute`). */
export type ResponseFrame =
  | { readonly type: 'response'; readonly id: string; readonly ok: true; readonly value: unknown }
  | { readonly type: 'response'; readonly id: string; readonly ok: false; readonly error: WireError };

/**
 * Model code called a host function. The host answers with a {@link HostResultFrame}. On the wire
 * the prompts may travel as a UTF-8 attachment (`"promptBytes": [n, …]`); this is the frame after
 * `parseRuntimeFrame` put them back into `payload.prompt` / `payload.prompts`.
 */
export interface HostCallFrame {
  readonly type: 'host_call';
  readonly id: string;
  readonly op: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** The runtime no longer waits for host call `id` (the waiting thread was interrupted). */
export interface HostCancelFrame {
  readonly type: 'host_cancel';
  readonly id: string;
}

/** Frames sent by the runtime. */
export type RuntimeFrame = ReadyFrame | ResponseFrame | HostCallFrame | HostCancelFrame;

/** `configure` request. */
export interface ConfigureFrame {
  readonly type: 'configure';
  readonly id: string;
  readonly tools: readonly HostToolInfo[];
  readonly maxOutputChars: number;
  /** Largest message the runtime may send the host, in bytes (header line and attachment, each). */
  readonly maxFrameBytes?: number;
}

/** `load_context` request: bytes as the frame's attachment, or a `path` inside the sandbox. */
export interface LoadContextFrame {
  readonly type: 'load_context';
  readonly id: string;
  readonly format: 'text' | 'json' | 'documents';
  readonly variable: string;
  readonly path?: string;
}

/** `execute` request. */
export interface ExecuteFrame {
  readonly type: 'execute';
  readonly id: string;
  readonly code: string;
}

/** Answer to a {@link HostCallFrame}. */
export type HostResultFrame =
  | { readonly type: 'host_result'; readonly id: string; readonly ok: true; readonly value: unknown }
  | {
      readonly type: 'host_result';
      readonly id: string;
      readonly ok: true;
      /** The answer is a `str` or a list of `str`, as UTF-8 in the frame's attachment (see `replyAttachment`). */
      readonly valueKind: 'str' | 'list';
      /** Byte length of each string in the attachment, in order. */
      readonly valueBytes: readonly number[];
    }
  | { readonly type: 'host_result'; readonly id: string; readonly ok: false; readonly error: WireError };

/** Interrupts the `execute` request `id` if it is still running (KeyboardInterrupt in model code). */
export interface InterruptFrame {
  readonly type: 'interrupt';
  readonly id: string;
}

/** Asks the runtime to exit 0 at once. */
export interface ShutdownFrame {
  readonly type: 'shutdown';
}

/** Frames sent by the host. */
export type HostFrame =
  | ConfigureFrame
  | LoadContextFrame
  | ExecuteFrame
  | HostResultFrame
  | InterruptFrame
  | ShutdownFrame;

/** `execute` reply value, as produced by `Runtime.execute` in Python. */
export interface WireExecutionResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly error: { readonly type: string; readonly message: string; readonly traceback: string } | null;
  readonly final: { readonly value: unknown; readonly text: string; readonly variableName: string | null } | null;
  readonly truncatedChars: number;
  readonly durationMs: number;
}

/** `load_context` reply value. */
export interface WireContextInfo {
  readonly type: string;
  readonly length: number;
  readonly bytes: number;
}
