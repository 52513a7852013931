import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import {
  DaytonaConflictError,
  DaytonaGoneError,
  DaytonaNotFoundError,
  type SessionCommandLogsResponse,
  type SessionExecuteResponse,
} from '@daytonaio/sdk';
import type { DaytonaProcess } from '../daytona-client.js';
import { killProcessGroup, type LocalSandboxRoot } from '@rlms/core/testing';

type Stream = 'stdout' | 'stderr';
type ExecuteRequest = Parameters<DaytonaProcess['executeSessionCommand']>[1];
type Command = Awaited<ReturnType<DaytonaProcess['getSessionCommand']>>;
type ExecuteResponse = Awaited<ReturnType<DaytonaProcess['executeCommand']>>;
type Follower = (stream: Stream, text: string) => void;

/**
 * One command of a session. Like the Daytona daemon, output is labelled and logged line by line
 * (a final line without a newline gets one), stdin is a pipe that stays open for
 * `sendSessionCommandInput`, and input is echoed into stdout unless `suppressInputEcho`.
 */
class FakeSessionCommand {
  readonly id = randomUUID();
  readonly command: string;
  readonly log: { stream: Stream; line: string }[] = [];
  exitCode: number | undefined;
  readonly done: Promise<void>;
  readonly #child: ChildProcess;
  readonly #suppressInputEcho: boolean;
  readonly #followers = new Set<Follower>();

  constructor(local: LocalSandboxRoot, request: ExecuteRequest) {
    this.command = request.command;
    this.#suppressInputEcho = request.suppressInputEcho === true;
    this.#child = local.spawnShell(request.command, { cwd: local.homePath, stdin: true });
    const ended = [this.#collect('stdout'), this.#collect('stderr')];
    const exited = new Promise<number>((resolve) => {
      this.#child.once('error', () => resolve(127));
      this.#child.once('exit', (code, signal) => resolve(code ?? 128 + (signal ? constants.signals[signal] : 0)));
    });
    this.done = Promise.all([exited, ...ended]).then(([code]) => {
      this.exitCode = code;
    });
  }

  #collect(stream: Stream): Promise<void> {
    const source = stream === 'stdout' ? this.#child.stdout : this.#child.stderr;
    const decoder = new TextDecoder();
    let pending = '';
    return new Promise((resolve) => {
      source?.on('data', (chunk: Buffer) => {
        pending += decoder.decode(chunk, { stream: true });
        const end = pending.lastIndexOf('\n');
        if (end === -1) return;
        for (const line of pending.slice(0, end).split('\n')) this.#append(stream, `${line}\n`);
        pending = pending.slice(end + 1);
      });
      source?.once('close', () => {
        pending += decoder.decode();
        if (pending !== '') this.#append(stream, `${pending}\n`);
        resolve();
      });
      if (!source) resolve();
    });
  }

  #append(stream: Stream, line: string): void {
    this.log.push({ stream, line });
    for (const follower of this.#followers) follower(stream, line);
  }

  text(stream?: Stream): string {
    return this.log
      .filter((entry) => stream === undefined || entry.stream === stream)
      .map((entry) => entry.line)
      .join('');
  }

  /** Replays the log, then follows it until the command ends. */
  async follow(follower: Follower): Promise<void> {
    for (const entry of [...this.log]) follower(entry.stream, entry.line);
    this.#followers.add(follower);
    try {
      await this.done;
    } finally {
      this.#followers.delete(follower);
    }
  }

  async input(data: string): Promise<void> {
    const text = data.endsWith('\n') ? data : `${data}\n`;
    const stdin = this.#child.stdin;
    if (!stdin || stdin.destroyed) throw new DaytonaGoneError('command input pipe is closed', 410);
    await new Promise<void>((resolve, reject) => stdin.write(text, (error) => (error ? reject(error) : resolve())));
    if (!this.#suppressInputEcho) this.#append('stdout', text);
  }

  kill(): void {
    killProcessGroup(this.#child, 'SIGKILL');
  }
}

/**
 * Offline stand-in for `sandbox.process` of `@daytonaio/sdk`: sessions with async commands, stdin
 * input, log streaming (string chunks per stream, resolving when the command ends) and one-shot
 * `executeCommand`, all running as local processes in the fake sandbox's private directory.
 * Errors are the SDK's own classes (`DaytonaNotFoundError`, `DaytonaGoneError`…).
 * Fidelity limit: each session command runs in its own shell, so shell state (`cd`, variables)
 * does not carry over between commands of a session.
 */
export class FakeDaytonaProcess implements DaytonaProcess {
  readonly #local: LocalSandboxRoot;
  readonly #assertAlive: () => void;
  readonly #sessions = new Map<string, Map<string, FakeSessionCommand>>();
  /** Every one-shot command run with `executeCommand`, in order. */
  readonly executed: string[] = [];

  constructor(local: LocalSandboxRoot, assertAlive: () => void) {
    this.#local = local;
    this.#assertAlive = assertAlive;
  }

  #session(sessionId: string): Map<string, FakeSessionCommand> {
    this.#assertAlive();
    const session = this.#sessions.get(sessionId);
    if (!session) throw new DaytonaNotFoundError('session not found', 404);
    return session;
  }

  #command(sessionId: string, commandId: string): FakeSessionCommand {
    const command = this.#session(sessionId).get(commandId);
    if (!command) throw new DaytonaNotFoundError('command not found', 404);
    return command;
  }

  async createSession(sessionId: string): Promise<void> {
    this.#assertAlive();
    if (this.#sessions.has(sessionId)) throw new DaytonaConflictError('session already exists', 409);
    this.#sessions.set(sessionId, new Map());
  }

  async executeSessionCommand(sessionId: string, req: ExecuteRequest, _timeout?: number): Promise<SessionExecuteResponse> {
    const session = this.#session(sessionId);
    const command = new FakeSessionCommand(this.#local, req);
    session.set(command.id, command);
    if (req.runAsync || req.async) return { cmdId: command.id };
    await command.done;
    return {
      cmdId: command.id,
      exitCode: command.exitCode,
      output: command.text(),
      stdout: command.text('stdout'),
      stderr: command.text('stderr'),
    };
  }

  getSessionCommandLogs(sessionId: string, commandId: string): Promise<SessionCommandLogsResponse>;
  getSessionCommandLogs(
    sessionId: string,
    commandId: string,
    onStdout: (chunk: string) => void,
    onStderr: (chunk: string) => void,
  ): Promise<void>;
  async getSessionCommandLogs(
    sessionId: string,
    commandId: string,
    onStdout?: (chunk: string) => void,
    onStderr?: (chunk: string) => void,
  ): Promise<SessionCommandLogsResponse | void> {
    const command = this.#command(sessionId, commandId);
    if (!onStdout && !onStderr) {
      return { output: command.text(), stdout: command.text('stdout'), stderr: command.text('stderr') };
    }
    await command.follow((stream, text) => (stream === 'stdout' ? onStdout?.(text) : onStderr?.(text)));
  }

  async sendSessionCommandInput(sessionId: string, commandId: string, data: string): Promise<void> {
    const command = this.#command(sessionId, commandId);
    if (command.exitCode !== undefined) {
      throw new DaytonaGoneError(`command has already completed with exit code ${command.exitCode}`, 410);
    }
    await command.input(data);
  }

  async getSessionCommand(sessionId: string, commandId: string): Promise<Command> {
    const command = this.#command(sessionId, commandId);
    return { id: command.id, command: command.command, ...(command.exitCode === undefined ? {} : { exitCode: command.exitCode }) };
  }

  async deleteSession(sessionId: string): Promise<void> {
    const session = this.#session(sessionId);
    for (const command of session.values()) command.kill();
    this.#sessions.delete(sessionId);
  }

  async executeCommand(command: string, cwd?: string, env?: Record<string, string>, timeout?: number): Promise<ExecuteResponse> {
    this.#assertAlive();
    this.executed.push(command);
    const child = this.#local.spawnShell(command, { cwd: cwd ?? this.#local.homePath, env: env ?? {}, stdin: false });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = timeout ? setTimeout(() => killProcessGroup(child, 'SIGKILL'), timeout * 1000) : undefined;
    const exitCode = await new Promise<number>((resolve) => {
      child.once('error', () => resolve(127));
      child.once('close', (code) => resolve(code ?? -1));
    });
    clearTimeout(timer);
    return { exitCode, result: output, artifacts: { stdout: output } };
  }

  /** Kills every session command (used when the sandbox is deleted). */
  killAll(): void {
    for (const session of this.#sessions.values()) for (const command of session.values()) command.kill();
    this.#sessions.clear();
  }
}
