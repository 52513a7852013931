import { RUNTIME_FILE_NAME, readRuntimeSource } from '@rlms/core';
import type { DaytonaSandbox } from './daytona-client.js';

/** How long (seconds) the `kill` helper command may take. */
const SIGNAL_COMMAND_TIMEOUT_S = 15;
const PID_FILE = 'runtime.pid';
const NEWLINE = 0x0a;

/** Where the runtime's output and exit go. */
export interface RuntimeProcessListener {
  onStdout(bytes: Uint8Array): void;
  onStderr(bytes: Uint8Array): void;
  /** Called once when the runtime process ends (or its log stream breaks). */
  onExit(exit: { exitCode: number | undefined; error?: unknown }): void;
}

export interface StartDaytonaRuntimeOptions {
  /** Absolute directory inside the sandbox for the runtime file and uploaded contexts. */
  readonly directory: string;
  /** Daytona session id (one session, one shell, per runtime). */
  readonly sessionId: string;
  /** Python executable inside the sandbox. */
  readonly python: string;
  readonly listener: RuntimeProcessListener;
}

/** Single-quotes a string for `sh`. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/**
 * The rlms runtime running as an asynchronous command of a Daytona process session — Daytona's
 * stdio channel: `sendSessionCommandInput` writes to the command's stdin, and
 * `getSessionCommandLogs` with callbacks streams its stdout/stderr over a WebSocket. So no port,
 * preview URL or broker inside the sandbox is needed.
 *
 * The daemon treats both directions as text lines: every input gets a trailing newline if it has
 * none, and output is relayed line by line. Frames are UTF-8 JSON lines, so {@link write} sends
 * only whole lines (it buffers any partial line) and output strings are re-encoded losslessly.
 * Binary attachments are never used: contexts are uploaded as files and loaded by path.
 */
export class DaytonaRuntimeProcess {
  readonly #sandbox: DaytonaSandbox;
  readonly #sessionId: string;
  readonly #commandId: string;
  readonly #directory: string;
  readonly #decoder = new TextDecoder();
  #pending: Uint8Array[] = [];
  #writes: Promise<void> = Promise.resolve();
  #uploads = 0;
  #exited = false;

  private constructor(sandbox: DaytonaSandbox, sessionId: string, commandId: string, directory: string) {
    this.#sandbox = sandbox;
    this.#sessionId = sessionId;
    this.#commandId = commandId;
    this.#directory = directory;
  }

  /** Uploads the runtime, opens a session and starts the runtime in it. Rejects with the SDK's error on failure. */
  static async start(sandbox: DaytonaSandbox, options: StartDaytonaRuntimeOptions): Promise<DaytonaRuntimeProcess> {
    const { directory, sessionId, listener } = options;
    await sandbox.fs.uploadFileStream(new TextEncoder().encode(readRuntimeSource()), `${directory}/${RUNTIME_FILE_NAME}`);
    await sandbox.process.createSession(sessionId);
    // A child shell records its pid and becomes Python, so `kill -INT` can reach it later.
    const inner = `echo $$ > ${PID_FILE} && exec ${shellQuote(options.python)} -u ${RUNTIME_FILE_NAME}`;
    const { cmdId } = await sandbox.process.executeSessionCommand(sessionId, {
      command: `cd ${shellQuote(directory)} && sh -c ${shellQuote(inner)}`,
      runAsync: true,
      suppressInputEcho: true,
    });
    const runtime = new DaytonaRuntimeProcess(sandbox, sessionId, cmdId, directory);
    const encoder = new TextEncoder();
    sandbox.process
      .getSessionCommandLogs(
        sessionId,
        cmdId,
        (text) => listener.onStdout(encoder.encode(text)),
        (text) => listener.onStderr(encoder.encode(text)),
      )
      .then(() => sandbox.process.getSessionCommand(sessionId, cmdId))
      .then(
        (command) => {
          runtime.#exited = true;
          listener.onExit({ exitCode: command.exitCode });
        },
        (error: unknown) => {
          runtime.#exited = true;
          listener.onExit({ exitCode: undefined, error });
        },
      );
    return runtime;
  }

  /** Sends bytes to the runtime's stdin, whole lines at a time, in call order. */
  write(bytes: Uint8Array): Promise<void> {
    const end = bytes.lastIndexOf(NEWLINE);
    if (end === -1) {
      this.#pending.push(bytes.slice());
      return this.#writes;
    }
    const lines = Buffer.concat([...this.#pending, bytes.subarray(0, end + 1)]);
    this.#pending = end + 1 < bytes.byteLength ? [bytes.slice(end + 1)] : [];
    // Splitting at a newline byte never cuts a UTF-8 sequence, so this decodes exactly.
    const text = this.#decoder.decode(lines);
    const send = () => this.#sandbox.process.sendSessionCommandInput(this.#sessionId, this.#commandId, text);
    const next = this.#writes.then(send, send);
    this.#writes = next.catch(() => {});
    return next;
  }

  async #signal(signal: 'INT' | 'KILL'): Promise<void> {
    const response = await this.#sandbox.process.executeCommand(
      `kill -${signal} "$(cat ${PID_FILE})"`,
      this.#directory,
      undefined,
      SIGNAL_COMMAND_TIMEOUT_S,
    );
    if (response.exitCode !== 0 && !this.#exited) {
      throw new Error(`kill -${signal} exited with code ${response.exitCode}: ${response.result.trim()}`);
    }
  }

  /** Sends SIGINT to the runtime (Python raises `KeyboardInterrupt` in the running cell). */
  async interrupt(): Promise<void> {
    if (this.#exited) return;
    await this.#signal('INT');
  }

  /** SIGKILLs the runtime and deletes its session. Never throws. */
  async kill(): Promise<void> {
    if (!this.#exited) await this.#signal('KILL').catch(() => undefined);
    await this.#sandbox.process.deleteSession(this.#sessionId).catch(() => undefined);
  }

  /** Writes a context payload into the session directory; returns its path relative to the runtime. */
  async uploadContext(bytes: Uint8Array): Promise<string> {
    this.#uploads += 1;
    const name = `context-${this.#uploads}.bin`;
    await this.#sandbox.fs.uploadFileStream(bytes, `${this.#directory}/${name}`);
    return name;
  }
}
