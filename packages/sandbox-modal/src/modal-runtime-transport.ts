import { RUNTIME_FILE_NAME, TransportRelay, exitFromStatus, readRuntimeSource, shellQuote, type FrameTransport, type FrameTransportHandlers } from '@rlms/core/sandbox';
import type { ModalProcess, ModalSandbox } from './modal-client.js';

/** Largest piece handed to one stdin write (each write is one RPC). */
const STDIN_CHUNK_BYTES = 1 << 20;
/** How long the `kill -INT` helper exec may take, in ms. */
const HELPER_EXEC_TIMEOUT_MS = 15_000;
const PID_FILE = 'runtime.pid';

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
export class ModalRuntimeTransport implements FrameTransport {
  readonly #sandbox: ModalSandbox;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #relay: TransportRelay;
  readonly #options: LaunchModalRuntimeOptions;
  #uploads = 0;
  #terminated: Promise<void> | undefined;
  #closed = false;

  private constructor(sandbox: ModalSandbox, process: ModalProcess, relay: TransportRelay, options: LaunchModalRuntimeOptions) {
    this.#sandbox = sandbox;
    this.#writer = process.stdin.getWriter();
    this.#writer.closed.catch(() => {}); // a broken stdin surfaces as a failed write and as the exit
    this.#relay = relay;
    this.#options = options;
  }

  /** Uploads the runtime and starts it. Rejects with the SDK's error when either step fails. */
  static async launch(sandbox: ModalSandbox, options: LaunchModalRuntimeOptions): Promise<ModalRuntimeTransport> {
    const { directory } = options;
    await sandbox.filesystem.writeBytes(new TextEncoder().encode(readRuntimeSource()), `${directory}/${RUNTIME_FILE_NAME}`);
    const process = await sandbox.exec(
      ['sh', '-c', `echo $$ > ${PID_FILE} && exec ${shellQuote(options.python)} -u ${RUNTIME_FILE_NAME}`],
      { mode: 'binary', workdir: directory, stdout: 'pipe', stderr: 'pipe' },
    );
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

  start(handlers: FrameTransportHandlers): void {
    this.#relay.attach(handlers);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#relay.exit !== undefined) return; // nothing listens any more
    for (let offset = 0; offset < chunk.byteLength; offset += STDIN_CHUNK_BYTES) {
      await this.#writer.write(chunk.subarray(offset, offset + STDIN_CHUNK_BYTES));
    }
  }

  /** SIGINT to the runtime through a helper exec. */
  async interrupt(): Promise<void> {
    if (this.#relay.exit !== undefined || this.#terminated !== undefined) return;
    try {
      const helper = await this.#sandbox.exec(['sh', '-c', `kill -INT "$(cat ${PID_FILE})"`], {
        mode: 'binary',
        workdir: this.#options.directory,
        timeoutMs: HELPER_EXEC_TIMEOUT_MS,
        stdout: 'ignore',
        stderr: 'ignore',
      });
      await helper.wait();
    } catch {
      // the runtime or the sandbox may be gone meanwhile; the session handles that
    }
  }

  /** Terminates the whole sandbox (and with it the runtime and anything model code started). */
  kill(): Promise<void> {
    this.#terminated ??= this.#sandbox.terminate().catch(() => undefined);
    return this.#terminated;
  }

  async uploadContext(bytes: Uint8Array): Promise<string> {
    this.#uploads += 1;
    const name = `context-${this.#uploads}.bin`;
    await this.#sandbox.filesystem.writeBytes(bytes, `${this.#options.directory}/${name}`);
    return name;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.kill();
    } finally {
      await this.#options.onClose?.();
    }
  }
}
