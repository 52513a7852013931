import { RUNTIME_FILE_NAME, RUNTIME_INTERRUPT_SCRIPT, RemoteRuntimeTransport, TransportRelay, exitFromStatus, readRuntimeSource, runtimeLaunchScript, shellQuote } from '@rlms/core/sandbox';
import type { DaytonaSandbox } from './daytona-client.js';

/** How long (seconds) the `kill` helper command may take. */
const HELPER_COMMAND_TIMEOUT_S = 15;
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
export class DaytonaRuntimeTransport extends RemoteRuntimeTransport {
  readonly #sandbox: DaytonaSandbox;
  readonly #sessionId: string;
  readonly #commandId: string;
  readonly #decoder = new TextDecoder();
  #pending: Uint8Array[] = [];

  private constructor(sandbox: DaytonaSandbox, commandId: string, relay: TransportRelay, options: LaunchDaytonaRuntimeOptions) {
    super(relay, { directory: options.directory, ...(options.onClose === undefined ? {} : { onClose: options.onClose }) });
    this.#sandbox = sandbox;
    this.#sessionId = options.sessionId;
    this.#commandId = commandId;
  }

  /** Uploads the runtime, opens a session and starts the runtime in it. Rejects with the SDK's error on failure. */
  static async launch(sandbox: DaytonaSandbox, options: LaunchDaytonaRuntimeOptions): Promise<DaytonaRuntimeTransport> {
    const { directory, sessionId } = options;
    await sandbox.fs.uploadFileStream(new TextEncoder().encode(readRuntimeSource()), `${directory}/${RUNTIME_FILE_NAME}`);
    await sandbox.process.createSession(sessionId);
    // A child shell records its pid and becomes Python, so `kill -INT` can reach the runtime.
    const { cmdId } = await sandbox.process.executeSessionCommand(sessionId, {
      command: `cd ${shellQuote(directory)} && sh -c ${shellQuote(runtimeLaunchScript(options.python))}`,
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

  /** Sends whole lines only: a partial line waits for its end. */
  protected async sendInput(chunk: Uint8Array): Promise<void> {
    const end = chunk.lastIndexOf(NEWLINE);
    if (end === -1) {
      this.#pending.push(chunk.slice());
      return;
    }
    const lines = Buffer.concat([...this.#pending, chunk.subarray(0, end + 1)]);
    this.#pending = end + 1 < chunk.byteLength ? [chunk.slice(end + 1)] : [];
    // A newline byte never occurs inside a UTF-8 sequence, so the lines decode exactly.
    await this.#sandbox.process.sendSessionCommandInput(this.#sessionId, this.#commandId, this.#decoder.decode(lines));
  }

  /** SIGINT to the runtime through a one-shot command. */
  protected async sendInterrupt(): Promise<void> {
    await this.#sandbox.process.executeCommand(RUNTIME_INTERRUPT_SCRIPT, this.directory, undefined, HELPER_COMMAND_TIMEOUT_S);
  }

  /** Deletes the whole sandbox (and with it the runtime and anything model code started). */
  protected async terminate(): Promise<void> {
    await this.#sandbox.delete();
  }

  protected async writeFile(path: string, bytes: Uint8Array, abortSignal: AbortSignal | undefined): Promise<void> {
    await this.#sandbox.fs.uploadFileStream(bytes, path, abortSignal === undefined ? {} : { signal: abortSignal });
  }
}
