import { RUNTIME_FILE_NAME, RemoteRuntimeTransport, TransportRelay, readRuntimeSource, shellQuote, type TransportExit } from '@rlms/core/sandbox';
import type { E2BCommandHandle, E2BSandboxInstance } from './e2b-client.js';

/** Largest piece handed to one `sendStdin` call (each call is one RPC). */
const STDIN_CHUNK_BYTES = 1 << 20;
/** How long helper commands (`kill`, `rm`) may take, in ms. */
const HELPER_COMMAND_TIMEOUT_MS = 15_000;
/** Go's `ProcessState.String()` names for the signals a runtime can die of. */
const SIGNAL_NAMES: Readonly<Record<string, string>> = {
  killed: 'SIGKILL',
  interrupt: 'SIGINT',
  terminated: 'SIGTERM',
  'segmentation fault': 'SIGSEGV',
  aborted: 'SIGABRT',
};

export interface LaunchE2BRuntimeOptions {
  /** Absolute directory inside the sandbox for the runtime file and uploaded contexts. */
  readonly directory: string;
  /** Python executable inside the sandbox. */
  readonly python: string;
  /**
   * True when this session created the sandbox: `kill()` then terminates the whole sandbox (which
   * also ends anything model code started). False for a sandbox the user shares between sessions:
   * only the runtime process is killed and the session directory is removed on `close()`.
   */
  readonly ownsSandbox: boolean;
  /** Called once when the transport is closed (the session is over). */
  readonly onClose?: () => void;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer) {
    return bytes.buffer;
  }
  return bytes.slice().buffer as ArrayBuffer;
}

/** Maps the end of the command (`wait()` result or error) to a {@link TransportExit}. */
function toTransportExit(error: unknown): TransportExit {
  const details = error as { exitCode?: unknown; error?: unknown };
  if (typeof details.exitCode !== 'number') return { error };
  const signal = typeof details.error === 'string' ? /^signal: (.+)$/.exec(details.error)?.[1] : undefined;
  if (signal !== undefined) return { code: null, signal: SIGNAL_NAMES[signal] ?? signal };
  return { code: details.exitCode };
}

/**
 * A {@link FrameTransport} to the rlms runtime running as a background command of an E2B sandbox
 * (`commands.run(…, { background: true, stdin: true })`), so no port is exposed.
 *
 * Frames are ASCII JSON lines; the only attachments the runtime sends (host-call prompts) are
 * valid UTF-8 text. E2B delivers output as strings decoded with a streaming UTF-8 decoder, which is
 * lossless for both, and they are re-encoded to bytes here. No binary attachment crosses this
 * channel: contexts are written with `files.write` and loaded by path ({@link uploadContext}). Paths in commands and frames are relative to the runtime's working
 * directory; absolute paths appear only as SDK arguments (`cwd`, file paths).
 */
export class E2BRuntimeTransport extends RemoteRuntimeTransport {
  readonly #sandbox: E2BSandboxInstance;
  readonly #handle: E2BCommandHandle;
  readonly #ownsSandbox: boolean;

  private constructor(
    sandbox: E2BSandboxInstance,
    handle: E2BCommandHandle,
    relay: TransportRelay,
    options: LaunchE2BRuntimeOptions,
  ) {
    super(relay, { directory: options.directory, inputChunkBytes: STDIN_CHUNK_BYTES, ...(options.onClose === undefined ? {} : { onClose: options.onClose }) });
    this.#sandbox = sandbox;
    this.#handle = handle;
    this.#ownsSandbox = options.ownsSandbox;
  }

  /** Uploads the runtime and starts it in the background. Rejects with the SDK's error when either step fails. */
  static async launch(sandbox: E2BSandboxInstance, options: LaunchE2BRuntimeOptions): Promise<E2BRuntimeTransport> {
    const { directory } = options;
    await sandbox.files.write(`${directory}/${RUNTIME_FILE_NAME}`, readRuntimeSource());
    const relay = new TransportRelay();
    const encoder = new TextEncoder();
    // `exec` makes Python the command's own process, so the handle's pid is the runtime's.
    const handle = await sandbox.commands.run(`exec ${shellQuote(options.python)} -u ${RUNTIME_FILE_NAME}`, {
      background: true,
      stdin: true,
      cwd: directory,
      // 0 lifts the SDK's default 60 s limit on the command's stream; the sandbox's own
      // `timeoutMs` still bounds the session.
      timeoutMs: 0,
      onStdout: (text) => relay.onStdout(encoder.encode(text)),
      onStderr: (text) => relay.onStderr(encoder.encode(text)),
    });
    // `wait()` settles after every output callback has run, so the exit comes last.
    handle.wait().then(
      () => relay.onExit({ code: 0 }),
      (error: unknown) => relay.onExit(toTransportExit(error)),
    );
    return new E2BRuntimeTransport(sandbox, handle, relay, options);
  }

  protected async sendInput(bytes: Uint8Array): Promise<void> {
    await this.#handle.sendStdin(bytes);
  }

  /** SIGINT to the runtime through a helper command (the SDK's own `kill` only sends SIGKILL). */
  protected async sendInterrupt(): Promise<void> {
    await this.#sandbox.commands.run(`kill -INT ${this.#handle.pid}`, { timeoutMs: HELPER_COMMAND_TIMEOUT_MS });
  }

  /** Kills an owned sandbox (and all model code started in it), else only the runtime process. */
  protected async terminate(): Promise<void> {
    if (this.#ownsSandbox) await this.#sandbox.kill().catch(() => false);
    else if (!this.exited) await this.#handle.kill().catch(() => false);
  }

  protected async writeFile(path: string, bytes: Uint8Array, abortSignal: AbortSignal | undefined): Promise<void> {
    await this.#sandbox.files.write(path, toArrayBuffer(bytes), abortSignal === undefined ? {} : { signal: abortSignal });
  }

  /** An owned sandbox is killed; in a shared one only the session directory is removed. */
  protected override async release(): Promise<void> {
    if (this.#ownsSandbox) {
      await this.kill();
      return;
    }
    await this.#sandbox.commands
      .run(`rm -rf ${shellQuote(this.directory)}`, { timeoutMs: HELPER_COMMAND_TIMEOUT_MS })
      .catch(() => undefined);
  }
}
