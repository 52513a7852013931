import { RUNTIME_FILE_NAME, TransportRelay, exitFromStatus, readRuntimeSource, shellQuote, type FrameTransport, type FrameTransportHandlers } from '@rlms/core/sandbox';
import type { DaytonaSandbox } from './daytona-client.js';

/** How long (seconds) the `kill` helper command may take. */
const HELPER_COMMAND_TIMEOUT_S = 15;
const PID_FILE = 'runtime.pid';
const NEWLINE = 0x0a;

export interface LaunchDaytonaRuntimeOptions {
  /** Absolute directory inside the sandbox for the runtime file and uploaded contexts. */
  readonly directory: string;
  /** Daytona process session id (one session, one shell, per runtime). */
  readonly sessionId: string;
  /** Python executable inside the sandbox. */
  readonly python: string;
  /** Called once when the transport is closed, after the sandbox was deleted. */
  readonly onClose?: () => void;
}

/**
 * A {@link FrameTransport} to the rlms runtime running as an asynchronous command of a Daytona
 * process session — Daytona's stdio channel: `sendSessionCommandInput` writes to the command's
 * stdin and `getSessionCommandLogs` with callbacks streams its stdout/stderr over a WebSocket, so
 * no port, preview URL or broker inside the sandbox is needed.
 *
 * The daemon treats both directions as text lines: each input gets a newline appended when it
 * lacks one, and output is relayed line by line (each line is labelled stdout/stderr). Frames are
 * ASCII JSON lines, so {@link write} sends whole lines only (a partial line waits for its end)
 * and output strings re-encode losslessly. The only attachments the runtime sends (host-call
 * prompts) are valid UTF-8 text followed by a newline, so they relay unchanged and at once. No
 * binary attachment crosses this channel: contexts are uploaded as files and loaded by path. Paths in frames are relative to the runtime's directory.
 */
export class DaytonaRuntimeTransport implements FrameTransport {
  readonly #sandbox: DaytonaSandbox;
  readonly #commandId: string;
  readonly #relay: TransportRelay;
  readonly #options: LaunchDaytonaRuntimeOptions;
  readonly #decoder = new TextDecoder();
  #pending: Uint8Array[] = [];
  #uploads = 0;
  #deleted: Promise<void> | undefined;
  #closed = false;

  private constructor(sandbox: DaytonaSandbox, commandId: string, relay: TransportRelay, options: LaunchDaytonaRuntimeOptions) {
    this.#sandbox = sandbox;
    this.#commandId = commandId;
    this.#relay = relay;
    this.#options = options;
  }

  /** Uploads the runtime, opens a session and starts the runtime in it. Rejects with the SDK's error on failure. */
  static async launch(sandbox: DaytonaSandbox, options: LaunchDaytonaRuntimeOptions): Promise<DaytonaRuntimeTransport> {
    const { directory, sessionId } = options;
    await sandbox.fs.uploadFileStream(new TextEncoder().encode(readRuntimeSource()), `${directory}/${RUNTIME_FILE_NAME}`);
    await sandbox.process.createSession(sessionId);
    // A child shell records its pid and becomes Python, so `kill -INT` can reach the runtime.
    const inner = `echo $$ > ${PID_FILE} && exec ${shellQuote(options.python)} -u ${RUNTIME_FILE_NAME}`;
    const { cmdId } = await sandbox.process.executeSessionCommand(sessionId, {
      command: `cd ${shellQuote(directory)} && sh -c ${shellQuote(inner)}`,
      runAsync: true,
      suppressInputEcho: true,
    });
    const relay = new TransportRelay();
    const encoder = new TextEncoder();
    // The log stream ends when the command has exited, after its last line.
    sandbox.process
      .getSessionCommandLogs(
        sessionId,
        cmdId,
        (text) => relay.onStdout(encoder.encode(text)),
        (text) => relay.onStderr(encoder.encode(text)),
      )
      .then(() => sandbox.process.getSessionCommand(sessionId, cmdId))
      .then(
        (command) => relay.onExit(exitFromStatus(command.exitCode)),
        (error: unknown) => relay.onExit({ error }),
      );
    return new DaytonaRuntimeTransport(sandbox, cmdId, relay, options);
  }

  start(handlers: FrameTransportHandlers): void {
    this.#relay.attach(handlers);
  }

  async write(chunk: Uint8Array): Promise<void> {
    if (this.#relay.exit !== undefined) return; // nothing listens any more
    const end = chunk.lastIndexOf(NEWLINE);
    if (end === -1) {
      this.#pending.push(chunk.slice());
      return;
    }
    const lines = Buffer.concat([...this.#pending, chunk.subarray(0, end + 1)]);
    this.#pending = end + 1 < chunk.byteLength ? [chunk.slice(end + 1)] : [];
    // A newline byte never occurs inside a UTF-8 sequence, so the lines decode exactly.
    await this.#sandbox.process.sendSessionCommandInput(this.#options.sessionId, this.#commandId, this.#decoder.decode(lines));
  }

  /** SIGINT to the runtime through a one-shot command. */
  async interrupt(): Promise<void> {
    if (this.#relay.exit !== undefined || this.#deleted !== undefined) return;
    await this.#sandbox.process
      .executeCommand(`kill -INT "$(cat ${PID_FILE})"`, this.#options.directory, undefined, HELPER_COMMAND_TIMEOUT_S)
      .catch(() => undefined); // the runtime or the sandbox may be gone meanwhile; the session handles that
  }

  /** Deletes the whole sandbox (and with it the runtime and anything model code started). */
  kill(): Promise<void> {
    this.#deleted ??= this.#sandbox.delete().catch(() => undefined);
    return this.#deleted;
  }

  async uploadContext(bytes: Uint8Array, options: { readonly abortSignal?: AbortSignal }): Promise<string> {
    this.#uploads += 1;
    const name = `context-${this.#uploads}.bin`;
    await this.#sandbox.fs.uploadFileStream(
      bytes,
      `${this.#options.directory}/${name}`,
      options.abortSignal === undefined ? {} : { signal: options.abortSignal },
    );
    return name;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.kill();
    } finally {
      this.#options.onClose?.();
    }
  }
}
