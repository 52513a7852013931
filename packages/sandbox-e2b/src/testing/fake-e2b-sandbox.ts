import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import {
  CommandExitError,
  FileType,
  NotFoundError,
  SandboxError,
  TimeoutError,
  type CommandRequestOpts,
  type CommandResult,
  type CommandStartOpts,
  type FilesystemWriteOpts,
  type SandboxOpts,
  type WriteInfo,
} from 'e2b';
import type {
  E2BCommandHandle,
  E2BCommands,
  E2BFilesystem,
  E2BSandboxInstance,
} from '../e2b-client.js';
import { LocalSandboxRoot, killProcessGroup } from '@rlms/core/testing';

const DEFAULT_COMMAND_TIMEOUT_MS = 60_000;
const DEFAULT_SANDBOX_TIMEOUT_MS = 300_000;
const HOME = '/home/user';

type WriteData = string | ArrayBuffer | Blob | ReadableStream;

async function toBytes(data: WriteData): Promise<Uint8Array | string> {
  if (typeof data === 'string') return data;
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (data instanceof Blob) return new Uint8Array(await data.arrayBuffer());
  return new Uint8Array(await new Response(data).arrayBuffer());
}

/**
 * Offline stand-in for `sandbox.files` of `e2b`: same method, argument shapes and return value,
 * writing into the fake sandbox's private directory.
 */
export class FakeE2BFilesystem implements E2BFilesystem {
  /** Every path written, in order (sandbox paths, absolute). */
  readonly written: string[] = [];
  readonly #sandbox: FakeE2BSandbox;

  constructor(sandbox: FakeE2BSandbox) {
    this.#sandbox = sandbox;
  }

  write(path: string, data: WriteData, opts?: FilesystemWriteOpts): Promise<WriteInfo>;
  write(files: { path: string; data: WriteData }[], opts?: FilesystemWriteOpts): Promise<WriteInfo[]>;
  async write(
    pathOrFiles: string | { path: string; data: WriteData }[],
    dataOrOpts?: WriteData | FilesystemWriteOpts,
  ): Promise<WriteInfo | WriteInfo[]> {
    this.#sandbox.assertAlive();
    if (typeof pathOrFiles === 'string') {
      return this.#writeOne(pathOrFiles, dataOrOpts as WriteData);
    }
    const infos: WriteInfo[] = [];
    for (const entry of pathOrFiles) infos.push(await this.#writeOne(entry.path, entry.data));
    return infos;
  }

  async #writeOne(path: string, data: WriteData): Promise<WriteInfo> {
    const written = await this.#sandbox.local.writeFile(path, await toBytes(data));
    this.written.push(written);
    return { name: written.split('/').pop() ?? written, type: FileType.FILE, path: written };
  }
}

/**
 * Offline stand-in for a background `CommandHandle`: `onStdout`/`onStderr` receive strings
 * decoded with a streaming UTF-8 decoder and are awaited one at a time, `wait()` throws
 * `CommandExitError` for a non-zero exit, `kill()` sends SIGKILL, like the SDK.
 */
export class FakeE2BCommandHandle implements E2BCommandHandle {
  readonly pid: number;
  readonly #child: ChildProcess;
  readonly #stdinEnabled: boolean;
  readonly #done: Promise<void>;
  #stdout = '';
  #stderr = '';
  #result: CommandResult | undefined;
  #error: Error | undefined;

  constructor(child: ChildProcess, opts: CommandStartOpts) {
    if (child.pid === undefined) throw new SandboxError('The command could not be started.');
    this.pid = child.pid;
    this.#child = child;
    this.#stdinEnabled = opts.stdin === true;
    this.#done = this.#pump(opts);
  }

  get stdout(): string {
    return this.#stdout;
  }
  get stderr(): string {
    return this.#stderr;
  }
  get exitCode(): number | undefined {
    return this.#result?.exitCode;
  }

  async #pump(opts: CommandStartOpts): Promise<void> {
    const child = this.#child;
    const timeoutMs = opts.timeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
    const deadline =
      timeoutMs > 0
        ? setTimeout(() => {
            this.#error = new TimeoutError(
              "[deadline_exceeded] the operation timed out: This error is likely due to exceeding 'timeoutMs'. Use '0' to disable the timeout.",
            );
            killProcessGroup(child, 'SIGKILL');
          }, timeoutMs)
        : undefined;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.once('close', (code, signal) => resolve({ code, signal }));
    });
    const decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
    // Events are delivered in arrival order, each callback awaited before the next (like the SDK).
    const queue: { stream: 'stdout' | 'stderr'; text: string }[] = [];
    let wake: (() => void) | undefined;
    const push = (stream: 'stdout' | 'stderr', chunk: Buffer) => {
      const text = decoders[stream].decode(chunk, { stream: true });
      if (text === '') return;
      queue.push({ stream, text });
      wake?.();
    };
    child.stdout?.on('data', (chunk: Buffer) => push('stdout', chunk));
    child.stderr?.on('data', (chunk: Buffer) => push('stderr', chunk));
    let finished = false;
    void exited.then(() => {
      finished = true;
      wake?.();
    });
    while (true) {
      const next = queue.shift();
      if (next) {
        if (next.stream === 'stdout') {
          this.#stdout += next.text;
          await opts.onStdout?.(next.text);
        } else {
          this.#stderr += next.text;
          await opts.onStderr?.(next.text);
        }
        continue;
      }
      if (finished) break;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
    clearTimeout(deadline);
    const { code, signal } = await exited;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = decoders[stream].decode();
      if (rest === '') continue;
      if (stream === 'stdout') {
        this.#stdout += rest;
        await opts.onStdout?.(rest);
      } else {
        this.#stderr += rest;
        await opts.onStderr?.(rest);
      }
    }
    this.#result = {
      exitCode: code ?? -1,
      ...(signal ? { error: `signal: ${signal === 'SIGKILL' ? 'killed' : signal.toLowerCase()}` } : {}),
      stdout: this.#stdout,
      stderr: this.#stderr,
    };
  }

  async wait(): Promise<CommandResult> {
    await this.#done;
    if (this.#error) throw this.#error;
    if (!this.#result) throw new SandboxError('Process exited without a result');
    if (this.#result.exitCode !== 0) throw new CommandExitError(this.#result);
    return this.#result;
  }

  async kill(): Promise<boolean> {
    if (this.#child.exitCode !== null || this.#child.signalCode !== null) return false;
    killProcessGroup(this.#child, 'SIGKILL');
    return true;
  }

  async sendStdin(data: string | Uint8Array, _opts?: CommandRequestOpts): Promise<void> {
    if (!this.#stdinEnabled) {
      throw new SandboxError('invalid_argument: stdin is not enabled for this process; start it with `stdin: true`.');
    }
    const stdin = this.#child.stdin;
    if (!stdin || stdin.destroyed || this.#child.exitCode !== null || this.#child.signalCode !== null) {
      throw new NotFoundError(`process with pid ${this.pid} not found`);
    }
    await new Promise<void>((resolve, reject) => {
      stdin.write(typeof data === 'string' ? data : Buffer.from(data), (error) => (error ? reject(error) : resolve()));
    });
  }
}

/** Offline stand-in for `sandbox.commands` of `e2b` (`run` in the foreground and in the background). */
export class FakeE2BCommands implements E2BCommands {
  /** Every command line started, in order. */
  readonly started: { cmd: string; opts: CommandStartOpts }[] = [];
  readonly #sandbox: FakeE2BSandbox;

  constructor(sandbox: FakeE2BSandbox) {
    this.#sandbox = sandbox;
  }

  run(cmd: string, opts: CommandStartOpts & { background: true }): Promise<FakeE2BCommandHandle>;
  run(cmd: string, opts?: CommandStartOpts & { background?: false }): Promise<CommandResult>;
  async run(cmd: string, opts: CommandStartOpts & { background?: boolean } = {}): Promise<FakeE2BCommandHandle | CommandResult> {
    this.#sandbox.assertAlive();
    if (opts.signal?.aborted) throw new TimeoutError('canceled: the request was aborted');
    this.started.push({ cmd, opts });
    const child = this.#sandbox.local.spawnShell(cmd, {
      cwd: opts.cwd ?? HOME,
      env: { ...this.#sandbox.options.envs, ...opts.envs },
      stdin: opts.stdin === true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new SandboxError(`Could not start the command: ${error.message}`)));
    });
    const handle = new FakeE2BCommandHandle(child, opts);
    return opts.background ? handle : handle.wait();
  }
}

/**
 * Offline stand-in for an `e2b` `Sandbox`: files and commands live in a private temporary
 * directory and run as local processes (the real `python3`), so the whole adapter runs unchanged.
 * The creation options are recorded for assertions (`metadata`, `envs`, `allowInternetAccess`…).
 * Like the service, the sandbox is killed when its `timeoutMs` (default 5 minutes) elapses.
 */
export class FakeE2BSandbox implements E2BSandboxInstance {
  readonly sandboxId: string;
  readonly options: SandboxOpts;
  readonly local: LocalSandboxRoot;
  readonly files: FakeE2BFilesystem;
  readonly commands: FakeE2BCommands;
  readonly #lifetime: NodeJS.Timeout;
  #killed = false;

  private constructor(local: LocalSandboxRoot, options: SandboxOpts) {
    this.sandboxId = `fake-${randomUUID().slice(0, 8)}`;
    this.options = options;
    this.local = local;
    this.files = new FakeE2BFilesystem(this);
    this.commands = new FakeE2BCommands(this);
    this.#lifetime = setTimeout(() => void this.kill(), options.timeoutMs ?? DEFAULT_SANDBOX_TIMEOUT_MS);
    this.#lifetime.unref();
  }

  /** Creates a fake sandbox, like `Sandbox.create(options)`. */
  static async create(options: SandboxOpts = {}): Promise<FakeE2BSandbox> {
    if (options.signal?.aborted) throw new TimeoutError('canceled: the request was aborted');
    return new FakeE2BSandbox(await LocalSandboxRoot.create({ prefix: 'rlms-fake-e2b-', home: HOME }), options);
  }

  get killed(): boolean {
    return this.#killed;
  }

  assertAlive(): void {
    if (this.#killed) {
      throw new TimeoutError(
        'The sandbox was not found: This error is likely due to sandbox timeout. You can modify the sandbox timeout by passing \'timeoutMs\' when starting the sandbox.',
      );
    }
  }

  async kill(): Promise<boolean> {
    if (this.#killed) return false;
    this.#killed = true;
    clearTimeout(this.#lifetime);
    await this.local.dispose();
    return true;
  }
}

/** A factory of fake sandboxes that remembers what it created. */
export interface FakeE2BSandboxFactory {
  /** Pass this as `createE2BSandbox({ sandbox })`. */
  readonly create: (options: SandboxOpts) => Promise<FakeE2BSandbox>;
  /** Every sandbox created so far. */
  readonly sandboxes: readonly FakeE2BSandbox[];
  /** Kills every sandbox still alive (for `afterAll`). */
  killAll(): Promise<void>;
}

/** Creates a {@link FakeE2BSandboxFactory}. */
export function createFakeE2BSandboxFactory(): FakeE2BSandboxFactory {
  const sandboxes: FakeE2BSandbox[] = [];
  return {
    create: async (options: SandboxOpts) => {
      const sandbox = await FakeE2BSandbox.create(options);
      sandboxes.push(sandbox);
      return sandbox;
    },
    sandboxes,
    killAll: async () => {
      await Promise.all(sandboxes.map((sandbox) => sandbox.kill()));
    },
  };
}
