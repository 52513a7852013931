import type { FrameTransport, FrameTransportHandlers } from '../protocol/frame-transport.js';
import { RUNTIME_FILE_NAME } from '../runtime/runtime-source.js';
import { shellQuote } from '../protocol/shell-quote.js';
import type { TransportRelay } from '../protocol/transport-relay.js';

/** File, in the runtime's directory, where {@link runtimeLaunchScript} records the runtime's pid. */
export const RUNTIME_PID_FILE = 'runtime.pid';

/**
 * A `sh -c` script, run in the runtime's directory, that records its pid in
 * {@link RUNTIME_PID_FILE} and `exec`s Python on the runtime, so that the recorded pid is the
 * runtime's and {@link RUNTIME_INTERRUPT_SCRIPT} reaches it. For SDKs whose process API has no
 * signal call.
 */
export function runtimeLaunchScript(python: string): string {
  return `echo $$ > ${RUNTIME_PID_FILE} && exec ${shellQuote(python)} -u ${RUNTIME_FILE_NAME}`;
}

/** A `sh -c` script, run in the runtime's directory, that sends SIGINT to the runtime started by {@link runtimeLaunchScript}. */
export const RUNTIME_INTERRUPT_SCRIPT = `kill -INT "$(cat ${RUNTIME_PID_FILE})"`;

/** Options every {@link RemoteRuntimeTransport} takes. */
export interface RemoteRuntimeTransportOptions {
  /** Absolute directory inside the sandbox for the runtime file and uploaded contexts. */
  readonly directory: string;
  /** Largest piece handed to one {@link RemoteRuntimeTransport.sendInput} call (each is one RPC). Default: the whole chunk. */
  readonly inputChunkBytes?: number;
  /** Called once when the transport is closed, after {@link RemoteRuntimeTransport.release}. */
  readonly onClose?: () => void | Promise<void>;
}

/**
 * The part every cloud sandbox's {@link FrameTransport} shares: the runtime runs as a process of a
 * remote sandbox reached through its vendor's SDK, its output arrives through a
 * {@link TransportRelay}, and contexts are uploaded as files (`context-<n>.bin` in the runtime's
 * directory) and loaded by path. This class owns the order of things: nothing is sent after the
 * runtime exited, an interrupt is skipped once the sandbox is being killed, `kill()` runs once,
 * `close()` releases once and then calls `onClose`.
 *
 * A subclass provides the SDK calls: {@link sendInput}, {@link sendInterrupt}, {@link terminate},
 * {@link writeFile}, and optionally {@link release} (default: {@link kill}).
 */
export abstract class RemoteRuntimeTransport implements FrameTransport {
  readonly #relay: TransportRelay;
  readonly #options: RemoteRuntimeTransportOptions;
  #uploads = 0;
  #killing: Promise<void> | undefined;
  #closed = false;

  protected constructor(relay: TransportRelay, options: RemoteRuntimeTransportOptions) {
    this.#relay = relay;
    this.#options = options;
  }

  /** Absolute directory of the runtime inside the sandbox. */
  protected get directory(): string {
    return this.#options.directory;
  }

  /** The runtime has exited (its exit reached the relay). */
  protected get exited(): boolean {
    return this.#relay.exit !== undefined;
  }

  /** `kill()` was called. */
  protected get killed(): boolean {
    return this.#killing !== undefined;
  }

  /** Sends bytes to the runtime's stdin (at most `inputChunkBytes` at a time). */
  protected abstract sendInput(bytes: Uint8Array): Promise<void>;
  /** Sends SIGINT to the runtime; errors are ignored (the runtime may be gone meanwhile). */
  protected abstract sendInterrupt(): Promise<void>;
  /** Ends the runtime for good (usually by ending the sandbox); errors must be swallowed. */
  protected abstract terminate(): Promise<void>;
  /** Writes a file inside the sandbox. */
  protected abstract writeFile(path: string, bytes: Uint8Array, abortSignal: AbortSignal | undefined): Promise<void>;

  /** What `close()` does before `onClose`; default {@link kill}. */
  protected release(): Promise<void> {
    return this.kill();
  }

  start(handlers: FrameTransportHandlers): void {
    this.#relay.attach(handlers);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.exited) return; // nothing listens any more
    const step = this.#options.inputChunkBytes ?? Math.max(chunk.byteLength, 1);
    for (let offset = 0; offset < chunk.byteLength; offset += step) {
      await this.sendInput(chunk.subarray(offset, offset + step));
    }
  }

  async interrupt(): Promise<void> {
    if (this.exited || this.killed) return;
    await this.sendInterrupt().catch(() => undefined); // the session handles a runtime that is gone
  }

  kill(): Promise<void> {
    this.#killing ??= this.terminate().catch(() => undefined);
    return this.#killing;
  }

  async uploadContext(bytes: Uint8Array, options: { readonly abortSignal?: AbortSignal } = {}): Promise<string> {
    this.#uploads += 1;
    const name = `context-${this.#uploads}.bin`;
    await this.writeFile(`${this.#options.directory}/${name}`, bytes, options.abortSignal);
    return name;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.release();
    } finally {
      await this.#options.onClose?.();
    }
  }
}
