import { RUNTIME_FILE_NAME, readRuntimeSource } from '@rlms/core';
import type { ModalProcess, ModalSandbox } from './modal-client.js';

/** Largest piece handed to one stdin write (each write is one RPC). */
const STDIN_CHUNK_BYTES = 1 << 20;
/** How long the `kill -INT` helper exec may take. */
const INTERRUPT_EXEC_TIMEOUT_MS = 15_000;
const PID_FILE = 'runtime.pid';

/** Where the runtime's output and exit go. */
export interface RuntimeProcessListener {
  onStdout(bytes: Uint8Array): void;
  onStderr(bytes: Uint8Array): void;
  /** Called once when the runtime process ends (or its exec breaks). */
  onExit(exit: { exitCode: number | undefined; error?: unknown }): void;
}

export interface StartModalRuntimeOptions {
  /** Absolute directory inside the sandbox for the runtime file and uploaded contexts. */
  readonly directory: string;
  /** Python executable inside the sandbox. */
  readonly python: string;
  readonly listener: RuntimeProcessListener;
}

/** Single-quotes a string for `sh`. */
function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

async function pump(stream: ReadableStream<Uint8Array>, sink: (bytes: Uint8Array) => void): Promise<void> {
  const reader = stream.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (value && value.byteLength > 0) sink(value);
      if (done) return;
    }
  } finally {
    reader.releaseLock();
  }
}

/**
 * The rlms runtime running under `sandbox.exec` in a Modal sandbox, speaking frames over the
 * exec's binary stdin/stdout streams. The exec'd shell records its pid and `exec`s Python, so
 * {@link interrupt} can deliver SIGINT with a second exec (`kill -INT`), which Modal's exec API
 * has no direct call for. Contexts are uploaded with `filesystem.writeBytes` and loaded by path.
 * Paths inside commands and frames are relative to the runtime's working directory.
 */
export class ModalRuntimeProcess {
  readonly #sandbox: ModalSandbox;
  readonly #process: ModalProcess;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #directory: string;
  #uploads = 0;
  #exited = false;

  private constructor(sandbox: ModalSandbox, process: ModalProcess, directory: string) {
    this.#sandbox = sandbox;
    this.#process = process;
    this.#writer = process.stdin.getWriter();
    this.#directory = directory;
  }

  /** Uploads the runtime and starts it. Rejects with the SDK's error when either step fails. */
  static async start(sandbox: ModalSandbox, options: StartModalRuntimeOptions): Promise<ModalRuntimeProcess> {
    const { directory, listener } = options;
    await sandbox.filesystem.writeBytes(
      new TextEncoder().encode(readRuntimeSource()),
      `${directory}/${RUNTIME_FILE_NAME}`,
    );
    const process = await sandbox.exec(
      ['sh', '-c', `echo $$ > ${PID_FILE} && exec ${shellQuote(options.python)} -u ${RUNTIME_FILE_NAME}`],
      { mode: 'binary', workdir: directory, stdout: 'pipe', stderr: 'pipe' },
    );
    const runtime = new ModalRuntimeProcess(sandbox, process, directory);
    const outputs = Promise.all([
      pump(process.stdout, (bytes) => listener.onStdout(bytes)),
      pump(process.stderr, (bytes) => listener.onStderr(bytes)),
    ]);
    // Report the exit after the output is drained, so no frame arrives after it.
    Promise.all([process.wait(), outputs]).then(
      ([exitCode]) => {
        runtime.#exited = true;
        listener.onExit({ exitCode });
      },
      (error: unknown) => {
        runtime.#exited = true;
        listener.onExit({ exitCode: undefined, error });
      },
    );
    return runtime;
  }

  /** Sends bytes to the runtime's stdin. Writes are delivered in call order. */
  async write(bytes: Uint8Array): Promise<void> {
    for (let offset = 0; offset < bytes.byteLength; offset += STDIN_CHUNK_BYTES) {
      await this.#writer.write(bytes.subarray(offset, offset + STDIN_CHUNK_BYTES));
    }
  }

  /** Sends SIGINT to the runtime (Python raises `KeyboardInterrupt` in the running cell). */
  async interrupt(): Promise<void> {
    if (this.#exited) return;
    const signal = await this.#sandbox.exec(['sh', '-c', `kill -INT "$(cat ${PID_FILE})"`], {
      mode: 'binary',
      workdir: this.#directory,
      timeoutMs: INTERRUPT_EXEC_TIMEOUT_MS,
      stdout: 'ignore',
      stderr: 'ignore',
    });
    const exitCode = await signal.wait();
    if (exitCode !== 0 && !this.#exited) {
      throw new Error(`kill -INT exited with code ${exitCode}`);
    }
  }

  /** SIGKILLs the runtime. Never throws. */
  async kill(): Promise<void> {
    if (this.#exited) return;
    try {
      const killer = await this.#sandbox.exec(['sh', '-c', `kill -KILL "$(cat ${PID_FILE})"`], {
        mode: 'binary',
        workdir: this.#directory,
        timeoutMs: INTERRUPT_EXEC_TIMEOUT_MS,
        stdout: 'ignore',
        stderr: 'ignore',
      });
      await killer.wait();
    } catch {
      // The sandbox is terminated right after by the provider anyway.
    }
  }

  /** Writes a context payload into the session directory; returns its path relative to the runtime. */
  async uploadContext(bytes: Uint8Array): Promise<string> {
    this.#uploads += 1;
    const name = `context-${this.#uploads}.bin`;
    await this.#sandbox.filesystem.writeBytes(bytes, `${this.#directory}/${name}`);
    return name;
  }
}
