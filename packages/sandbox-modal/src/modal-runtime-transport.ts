import { RUNTIME_FILE_NAME, RUNTIME_INTERRUPT_SCRIPT, RemoteRuntimeTransport, TransportRelay, exitFromStatus, readRuntimeSource, runtimeLaunchScript } from '@rlms/core/sandbox';
import type { ModalProcess, ModalSandbox } from './modal-client.js';

/** Largest piece handed to one stdin write (each write is one RPC). */
const STDIN_CHUNK_BYTES = 1 << 20;
/** How long the `kill -INT` helper exec may take, in ms. */
const HELPER_EXEC_TIMEOUT_MS = 15_000;

export interface LaunchModalRuntimeOptions {
  /** Absolute directory inside the sandbox for the runtime file and uploaded contexts. */
  readonly directory: string;
  /** Python executable inside the sandbox. */
  readonly python: string;
  /** Called once when the transport is closed, after the sandbox was terminated. */
  readonly onClose?: () => void | Promise<void>;
}

async function pump(stream: ReadableStream<Uint8Array>, sink: (bytes: Uint8Array) => void): Promise<void> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (value !== undefined && value.byteLength > 0) sink(value);
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * A {@link FrameTransport} to the rlms runtime running under `sandbox.exec` in a Modal sandbox,
 * over the exec's binary stdin/stdout streams (no tunnel or port). The exec'd shell records its
 * pid and `exec`s Python, so {@link interrupt} can send SIGINT with a second exec (Modal's exec
 * API has no signal call). Contexts are written with `filesystem.writeBytes` and loaded by path.
 * Paths in commands and frames are relative to the runtime's working directory (`workdir`).
 */
export class ModalRuntimeTransport extends RemoteRuntimeTransport {
  readonly #sandbox: ModalSandbox;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;

  private constructor(sandbox: ModalSandbox, process: ModalProcess, relay: TransportRelay, options: LaunchModalRuntimeOptions) {
    super(relay, { directory: options.directory, inputChunkBytes: STDIN_CHUNK_BYTES, ...(options.onClose === undefined ? {} : { onClose: options.onClose }) });
    this.#sandbox = sandbox;
    this.#writer = process.stdin.getWriter();
    this.#writer.closed.catch(() => {}); // a broken stdin surfaces as a failed write and as the exit
  }

  /** Uploads the runtime and starts it. Rejects with the SDK's error when either step fails. */
  static async launch(sandbox: ModalSandbox, options: LaunchModalRuntimeOptions): Promise<ModalRuntimeTransport> {
    const { directory } = options;
    await sandbox.filesystem.writeBytes(new TextEncoder().encode(readRuntimeSource()), `${directory}/${RUNTIME_FILE_NAME}`);
    const process = await sandbox.exec(['sh', '-c', runtimeLaunchScript(options.python)], {
      mode: 'binary',
      workdir: directory,
      stdout: 'pipe',
      stderr: 'pipe',
    });
    const relay = new TransportRelay();
    const outputs = Promise.all([
      pump(process.stdout, (bytes) => relay.onStdout(bytes)),
      pump(process.stderr, (bytes) => relay.onStderr(bytes)),
    ]);
    // The exit is reported once the output is drained, so no frame arrives after it.
    Promise.all([process.wait(), outputs]).then(
      ([code]) => relay.onExit(exitFromStatus(code)),
      (error: unknown) => relay.onExit({ error }),
    );
    return new ModalRuntimeTransport(sandbox, process, relay, options);
  }

  protected async sendInput(bytes: Uint8Array): Promise<void> {
    await this.#writer.write(bytes);
  }

  /** SIGINT to the runtime through a helper exec (Modal's exec API has no signal call). */
  protected async sendInterrupt(): Promise<void> {
    const helper = await this.#sandbox.exec(['sh', '-c', RUNTIME_INTERRUPT_SCRIPT], {
      mode: 'binary',
      workdir: this.directory,
      timeoutMs: HELPER_EXEC_TIMEOUT_MS,
      stdout: 'ignore',
      stderr: 'ignore',
    });
    await helper.wait();
  }

  /** Terminates the whole sandbox (and with it the runtime and anything model code started). */
  protected async terminate(): Promise<void> {
    await this.#sandbox.terminate();
  }

  protected async writeFile(path: string, bytes: Uint8Array): Promise<void> {
    await this.#sandbox.filesystem.writeBytes(bytes, path);
  }
}
