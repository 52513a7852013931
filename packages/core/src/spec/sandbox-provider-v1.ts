/**
 * The sandbox specification, version 1. Type-only: it imports nothing from the engine.
 *
 * A sandbox runs the shared Python REPL runtime (`@rlms/core/runtime/rlms_runtime.py`) somewhere
 * (a WebAssembly worker, a host subprocess, a container, a cloud VM) and moves protocol frames to
 * and from it. One session = one persistent Python namespace.
 */
import type { HostBridge, HostToolInfo } from './host-bridge.js';

/** How strongly model-written code is separated from the host. */
export type IsolationLevel =
  /** Same user, same filesystem, same network as the host process. Not a security boundary. */
  | 'none'
  /** WebAssembly: no host filesystem, network or processes unless granted. */
  | 'wasm'
  /** A container with its own filesystem, process table and (by default) no network. */
  | 'container'
  /** A remote micro-VM or cloud sandbox. */
  | 'vm';

/** What a sandbox can do. Read by the engine (prompting) and by the conformance suite (which tests to run). */
export interface SandboxCapabilities {
  readonly isolation: IsolationLevel;
  /** Model code can open network connections. */
  readonly network: boolean;
  /** Native/compiled Python packages (numpy, pandas) can be imported when installed. */
  readonly nativePackages: boolean;
  /** Model code can spawn OS processes (`subprocess`, `os.system`). */
  readonly subprocess: boolean;
  /** `execute({ timeoutMs })` can interrupt runaway code. */
  readonly interrupt: boolean;
  /** Python threads exist, so host calls from threads can be in flight together. */
  readonly threads: boolean;
  /** Largest context the sandbox is known to load comfortably, in bytes. */
  readonly maxContextBytes?: number;
}

/** Options for creating a session. */
export interface CreateSessionOptions {
  /** Where host calls from Python go. */
  readonly host: HostBridge;
  /** User tools to define as Python functions in the namespace. */
  readonly tools?: readonly HostToolInfo[];
  /** Output of one execution (stdout and stderr each) is cut to this many characters, head + tail. Default 20 000. */
  readonly maxOutputChars?: number;
  /**
   * Largest message the sandbox may send to the host, in bytes: a frame's header line and its
   * attachment each (stdio transports), or one host-call request (embedded transports). The host
   * never buffers more than this for one message: a sandbox that announces or sends more is killed
   * with a `ProtocolError`. The engine derives it from the run's output and prompt limits.
   * Default 64 MiB.
   */
  readonly maxFrameBytes?: number;
  /** Aborts session creation; after creation, abort the work with the per-call signals and `destroy()`. */
  readonly abortSignal?: AbortSignal;
}

/** The input loaded as the `context` variable. Bytes, never one big JS string. */
export interface ContextPayload {
  /**
   * How Python decodes the bytes:
   * - `'text'`: UTF-8 → `str`
   * - `'json'`: UTF-8 JSON → `dict` / `list` / scalar
   * - `'documents'`: named text documents → `dict[str, str]`, without JSON escaping: one line of
   *   JSON, the index `[[name, utf8ByteLength], …]`, then `\n`, then the documents' UTF-8 bytes one
   *   after the other (see `encodeDocumentsPayload` in `@rlms/core/sandbox`)
   */
  readonly format: 'text' | 'json' | 'documents';
  readonly bytes: Uint8Array;
}

/** What the runtime reports after loading the context. */
export interface ContextInfo {
  /** Python type name of `context`: `'str'`, `'dict'`, `'list'`… */
  readonly type: string;
  /** `len(context)`: characters of a str, keys of a dict, items of a list. */
  readonly length: number;
  /** Size of the payload in bytes. */
  readonly bytes: number;
}

export interface LoadContextOptions {
  readonly abortSignal?: AbortSignal;
  /** Variable name; default `'context'`. */
  readonly variableName?: string;
}

export interface ExecuteOptions {
  /**
   * Interrupt the code (KeyboardInterrupt) once it has run Python for this many milliseconds, then
   * kill the session if it does not yield. Time spent waiting on host calls (sub-calls, tools) does
   * not count, but a wait in which no host call finishes for this long also interrupts the cell
   * (see `ExecutionClock` in `@rlms/core/sandbox`). The run's own limits bound the waiting.
   */
  readonly timeoutMs?: number;
  readonly abortSignal?: AbortSignal;
}

/** A Python exception raised by the executed code. */
export interface ExecutionError {
  /** Exception class name, e.g. `'ZeroDivisionError'`, `'SyntaxError'`, `'KeyboardInterrupt'`. */
  readonly type: string;
  readonly message: string;
  /** Formatted traceback limited to the user's code. */
  readonly traceback: string;
}

/** A value handed back with `FINAL(value)` or `FINAL_VAR(name)`. */
export interface FinalValue {
  /** The value as JSON when it is JSON-serialisable, otherwise its `str()`. */
  readonly value: unknown;
  /** `str(value)`: what the answer reads as text. */
  readonly text: string;
  /** The variable name when it came from `FINAL_VAR`. */
  readonly variableName?: string;
}

/** The outcome of one `execute`. */
export interface ExecutionResult {
  /** Captured stdout (Python-level and OS-level fd 1), head+tail truncated. */
  readonly stdout: string;
  /** Captured stderr (Python-level and OS-level fd 2), head+tail truncated. */
  readonly stderr: string;
  /** Set when the code raised. The session lives on. */
  readonly error?: ExecutionError;
  /** Set when the code called `FINAL` / `FINAL_VAR`. */
  readonly final?: FinalValue;
  /** True when the code was interrupted because `timeoutMs` elapsed. */
  readonly timedOut?: boolean;
  /** Characters cut from stdout + stderr by truncation (0 when nothing was cut). */
  readonly truncatedChars?: number;
  /** Wall time of the execution inside the sandbox, in milliseconds. */
  readonly durationMs: number;
}

/**
 * One live Python REPL. Methods are called one at a time by the engine (never two `execute`
 * calls concurrently on one session). Implementations must throw `SandboxError` subclasses from
 * `@rlms/core` (`SandboxSessionDeadError` when the interpreter is gone).
 */
export interface SandboxSessionV1 {
  /** Session id, unique within the process (used in logs and trajectories). */
  readonly id: string;
  /** Loads the context as a variable. Called once per run, before any `execute`. */
  loadContext(payload: ContextPayload, options?: LoadContextOptions): Promise<ContextInfo>;
  /** Runs one cell in the persistent namespace. Python exceptions are results, not rejections. */
  execute(code: string, options?: ExecuteOptions): Promise<ExecutionResult>;
  /** Frees everything (processes, containers, workers). Idempotent; never throws. */
  destroy(): Promise<void>;
  /**
   * How the interpreter started, for sandboxes that restore snapshots: booted (`'none'`), restored
   * from a snapshot kept in this process (`'memory'`), or from one a previous process saved
   * (`'disk'`). Shown in the `sandbox-ready` event. Optional: absent means not reported.
   */
  readonly snapshot?: SandboxSnapshotSource;
}

/** Where a session's interpreter came from: see {@link SandboxSessionV1.snapshot}. */
export type SandboxSnapshotSource = 'none' | 'memory' | 'disk';

/** A sandbox backend, specification version 1. Factories (`createXSandbox`) do no I/O. */
export interface SandboxProviderV1 {
  readonly specificationVersion: 'rlms-sandbox-v1';
  /** `'pyodide'`, `'local'`, `'docker'`, `'e2b'`, `'modal'`, `'daytona'`… */
  readonly name: string;
  readonly capabilities: SandboxCapabilities;
  createSession(options: CreateSessionOptions): Promise<SandboxSessionV1>;
  /** Frees shared resources (warm pools, cached modules). Optional; idempotent. */
  close?(): Promise<void>;
}
