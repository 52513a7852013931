import { ConfigurationError, RLMAbortError } from '../errors/index.js';
import type { HostBridge, HostToolInfo } from '../spec/index.js';
import type { FrameTransport } from './frame-transport.js';
import { DEFAULT_MAX_FRAME_BYTES } from './frame-codec.js';
import { FrameSession } from './frame-session.js';
import { checkCreateSessionOptions } from './session-arguments.js';

/** Options of {@link createFrameSession}. */
export interface FrameSessionOptions {
  /** Sandbox provider name used in errors and session ids (`'local'`, `'docker'`…). */
  readonly sandbox: string;
  /** How bytes move to and from the runtime process (already started, not yet read from). */
  readonly transport: FrameTransport;
  /** Where host calls from Python go. */
  readonly host: HostBridge;
  /** User tools defined as Python functions. Names must be Python identifiers. Default none. */
  readonly tools?: readonly HostToolInfo[];
  /** Output of one execution (stdout and stderr each) is cut to this many characters, head + tail. Default 20 000. */
  readonly maxOutputChars?: number;
  /**
   * Largest frame the runtime may send, in bytes: its header line and its attachment each. The
   * runtime is told in `configure` and never sends more (a prompt, batch or FINAL value that cannot
   * fit raises in Python); a sandbox that does anyway is killed at once, before the bytes are
   * buffered, and what waits on it rejects with a `ProtocolError`. Minimum 65 536.
   * Default 64 MiB (`CreateSessionOptions.maxFrameBytes`).
   */
  readonly maxFrameBytes?: number;
  /** How long to wait for the runtime's `ready` frame and configuration, in ms. Default 30 000. */
  readonly startupTimeoutMs?: number;
  /**
   * After interrupting a cell (timeout or abort), how long to wait for it to stop before killing
   * the session, in ms. Default 3 000.
   */
  readonly interruptGraceMs?: number;
  /** On `destroy()`, how long the runtime gets to exit after the shutdown frame before it is killed, in ms. Default 1 000. */
  readonly shutdownGraceMs?: number;
  /** Aborts session creation (the transport is then killed and closed). */
  readonly abortSignal?: AbortSignal;
}

/**
 * Creates a `SandboxSessionV1` over a stdio-style transport: waits for the runtime's `ready` frame,
 * sends `configure`, then serves `loadContext` / `execute` / host calls / `destroy` as described
 * in `runtime/PROTOCOL.md`. Every stdio sandbox (local subprocess, `docker exec`, cloud commands)
 * uses it and only provides the {@link FrameTransport}.
 *
 * On any failure the transport is killed and closed before the promise rejects, so callers have
 * nothing to clean up.
 *
 * @throws ConfigurationError invalid options (e.g. a tool name that is not a Python identifier).
 * @throws SandboxError code `'startup-timeout'` (no `ready` within `startupTimeoutMs`) or
 *   `'startup-failed'` (the process exited or could not be spawned; `cause` holds the spawn error,
 *   the message the runtime's stderr tail).
 * @throws ProtocolError the runtime speaks another protocol version, or broke the protocol (e.g. a
 *   frame over `maxFrameBytes`) while starting.
 * @throws RLMAbortError `abortSignal` fired.
 */
export async function createFrameSession(options: FrameSessionOptions): Promise<FrameSession> {
  const { transport } = options;
  if (typeof transport !== 'object' || transport === null || typeof transport.start !== 'function') {
    throw new ConfigurationError('createFrameSession: `transport` must implement FrameTransport (start, write, kill).');
  }
  try {
    validate(options);
    if (options.abortSignal?.aborted === true) {
      throw new RLMAbortError('Creating the sandbox session was aborted.', { cause: options.abortSignal.reason });
    }
  } catch (error) {
    await cleanup(transport);
    throw error;
  }
  const session = new FrameSession({
    sandbox: options.sandbox,
    transport,
    host: options.host,
    tools: options.tools ?? [],
    maxOutputChars: options.maxOutputChars ?? 20_000,
    maxFrameBytes: options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES,
    startupTimeoutMs: options.startupTimeoutMs ?? 30_000,
    interruptGraceMs: options.interruptGraceMs ?? 3_000,
    shutdownGraceMs: options.shutdownGraceMs ?? 1_000,
  });
  await session.start(options.abortSignal);
  return session;
}

function validate(options: FrameSessionOptions): void {
  if (typeof options.sandbox !== 'string' || options.sandbox === '') {
    throw new ConfigurationError('createFrameSession: `sandbox` must be a non-empty name such as "local".');
  }
  checkCreateSessionOptions(options);
  const integerOption = (name: string, value: number | undefined, min: number): void => {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= min)) {
      throw new ConfigurationError(`${name} must be an integer >= ${min}, got ${String(value)}.`, { code: 'invalid-argument' });
    }
  };
  integerOption('startupTimeoutMs', options.startupTimeoutMs, 1);
  integerOption('interruptGraceMs', options.interruptGraceMs, 1);
  integerOption('shutdownGraceMs', options.shutdownGraceMs, 0);
}

async function cleanup(transport: FrameTransport): Promise<void> {
  try {
    await transport.kill();
  } catch {
    // ignore
  }
  try {
    await transport.close?.();
  } catch {
    // ignore
  }
}
