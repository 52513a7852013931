import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { constants } from 'node:os';
import { posix } from 'node:path';
import {
  InvalidError,
  NotFoundError,
  TimeoutError,
  type AppFromNameParams,
  type ModalReadStream,
  type ModalWriteStream,
  type SandboxCreateParams,
  type SandboxExecParams,
} from 'modal';
import type {
  ModalApp,
  ModalClientLike,
  ModalFilesystem,
  ModalImage,
  ModalProcess,
  ModalSandbox,
} from '../modal-client.js';
import { LocalSandboxRoot, killProcessGroup } from '@rlms/core/testing';

const DEFAULT_SANDBOX_TIMEOUT_MS = 300_000;
const ROOT_HOME = '/root';

const readMixin = {
  async readText(this: ReadableStream<Uint8Array | string>): Promise<string> {
    const decoder = new TextDecoder();
    let text = '';
    for await (const chunk of this) text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    return text + decoder.decode();
  },
  async readBytes(this: ReadableStream<Uint8Array | string>): Promise<Uint8Array> {
    const parts: Uint8Array[] = [];
    for await (const chunk of this) parts.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk);
    return Buffer.concat(parts);
  },
};

const writeMixin = {
  async writeText(this: WritableStream<Uint8Array | string>, text: string): Promise<void> {
    const writer = this.getWriter();
    try {
      await writer.write(text);
    } finally {
      writer.releaseLock();
    }
  },
  async writeBytes(this: WritableStream<Uint8Array | string>, bytes: Uint8Array): Promise<void> {
    const writer = this.getWriter();
    try {
      await writer.write(bytes);
    } finally {
      writer.releaseLock();
    }
  },
};

/** A pull-based stream over a child's output, without read-ahead (like the SDK's `highWaterMark: 0`). */
function outputStream(source: NodeJS.ReadableStream | null, mode: 'text' | 'binary'): ModalReadStream<Uint8Array> {
  const iterator = source ? (source[Symbol.asyncIterator]() as AsyncIterator<Buffer>) : undefined;
  const decoder = new TextDecoder();
  const stream = new ReadableStream<Uint8Array | string>(
    {
      async pull(controller) {
        const next = iterator ? await iterator.next() : { done: true as const, value: undefined };
        if (next.value) {
          const bytes = new Uint8Array(next.value);
          if (mode === 'binary') controller.enqueue(bytes);
          else {
            const text = decoder.decode(bytes, { stream: true });
            if (text) controller.enqueue(text);
          }
        }
        if (next.done) {
          if (mode === 'text') {
            const rest = decoder.decode();
            if (rest) controller.enqueue(rest);
          }
          controller.close();
        }
      },
      async cancel() {
        await iterator?.return?.();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 0 }),
  );
  // In binary mode every chunk is a Uint8Array; the text branch exists for fidelity.
  return Object.assign(stream, readMixin) as unknown as ModalReadStream<Uint8Array>;
}

function inputStream(child: ChildProcess): ModalWriteStream<Uint8Array> {
  const stream = new WritableStream<Uint8Array | string>({
    write(chunk) {
      return new Promise<void>((resolve, reject) => {
        const stdin = child.stdin;
        if (!stdin || stdin.destroyed) {
          reject(new InvalidError('The process has exited; its stdin is closed.'));
          return;
        }
        stdin.write(chunk, (error) => (error ? reject(error) : resolve()));
      });
    },
    close() {
      child.stdin?.end();
    },
  });
  return Object.assign(stream, writeMixin) as unknown as ModalWriteStream<Uint8Array>;
}

/** Offline stand-in for a `ContainerProcess`: byte streams, and `wait()` → exit code (128 + signal when killed). */
export class FakeModalProcess implements ModalProcess {
  readonly stdin: ModalWriteStream<Uint8Array>;
  readonly stdout: ModalReadStream<Uint8Array>;
  readonly stderr: ModalReadStream<Uint8Array>;
  readonly #exit: Promise<number>;

  constructor(child: ChildProcess, params: SandboxExecParams) {
    const mode = params.mode ?? 'text';
    this.stdin = inputStream(child);
    this.stdout = outputStream(params.stdout === 'ignore' ? null : child.stdout, mode);
    this.stderr = outputStream(params.stderr === 'ignore' ? null : child.stderr, mode);
    let timedOut = false;
    const deadline = params.timeoutMs
      ? setTimeout(() => {
          timedOut = true;
          killProcessGroup(child, 'SIGKILL');
        }, params.timeoutMs)
      : undefined;
    this.#exit = new Promise((resolve, reject) => {
      child.once('exit', (code, signal) => {
        clearTimeout(deadline);
        if (timedOut) reject(new TimeoutError(`Exec timed out after ${params.timeoutMs} ms`));
        else resolve(code ?? 128 + (signal ? constants.signals[signal] : 0));
      });
    });
    this.#exit.catch(() => {});
  }

  wait(): Promise<number> {
    return this.#exit;
  }
}

/** Offline stand-in for `sandbox.filesystem`: absolute paths only, parents created, like the SDK. */
export class FakeModalFilesystem implements ModalFilesystem {
  /** Every path written, in order. */
  readonly written: string[] = [];
  readonly #sandbox: FakeModalSandbox;

  constructor(sandbox: FakeModalSandbox) {
    this.#sandbox = sandbox;
  }

  async writeBytes(data: Uint8Array | ArrayBuffer | Buffer, remotePath: string): Promise<void> {
    if (!posix.isAbsolute(remotePath)) {
      throw new InvalidError('Sandbox.filesystem.writeBytes() currently only supports absolute remotePath values');
    }
    if (!(data instanceof Uint8Array) && !(data instanceof ArrayBuffer)) {
      throw new TypeError(`writeBytes() expects a Uint8Array, ArrayBuffer or Buffer, got ${typeof data}`);
    }
    this.#sandbox.assertRunning();
    await this.#sandbox.local.writeFile(remotePath, data instanceof ArrayBuffer ? new Uint8Array(data) : data);
    this.written.push(remotePath);
  }
}

/**
 * Offline stand-in for a Modal `Sandbox`: `exec` runs argv as a local process inside a private
 * temporary directory (the sandbox filesystem; `workdir` and file paths map into it), with the
 * real `python3`. Creation parameters are recorded (`tags`, `blockNetwork`, `timeoutMs`…).
 */
export class FakeModalSandbox implements ModalSandbox {
  readonly sandboxId = `sb-fake-${randomUUID().slice(0, 8)}`;
  readonly app: ModalApp;
  readonly image: ModalImage;
  readonly params: SandboxCreateParams;
  readonly local: LocalSandboxRoot;
  readonly filesystem: FakeModalFilesystem;
  /** Every argv executed, in order. */
  readonly executed: { command: string[]; params: SandboxExecParams }[] = [];
  readonly #lifetime: NodeJS.Timeout;
  #terminated = false;

  constructor(local: LocalSandboxRoot, app: ModalApp, image: ModalImage, params: SandboxCreateParams) {
    this.local = local;
    this.app = app;
    this.image = image;
    this.params = params;
    this.filesystem = new FakeModalFilesystem(this);
    this.#lifetime = setTimeout(() => void this.terminate(), params.timeoutMs ?? DEFAULT_SANDBOX_TIMEOUT_MS);
    this.#lifetime.unref();
  }

  get terminated(): boolean {
    return this.#terminated;
  }

  assertRunning(): void {
    if (this.#terminated) throw new NotFoundError(`Sandbox ${this.sandboxId} has already terminated.`);
  }

  async exec(command: string[], params: SandboxExecParams & { mode: 'binary' }): Promise<FakeModalProcess> {
    this.assertRunning();
    if (params.workdir !== undefined && !params.workdir.startsWith('/')) {
      throw new InvalidError(`workdir must be an absolute path, got: ${params.workdir}`);
    }
    this.executed.push({ command, params });
    const child = this.local.spawn(command, {
      cwd: params.workdir ?? this.params.workdir ?? ROOT_HOME,
      env: { ...this.params.env, ...params.env },
      stdin: true,
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error) => reject(new InvalidError(`Could not exec ${command[0]}: ${error.message}`)));
    });
    return new FakeModalProcess(child, params);
  }

  async terminate(): Promise<void> {
    if (this.#terminated) return;
    this.#terminated = true;
    clearTimeout(this.#lifetime);
    await this.local.dispose();
  }
}

/**
 * Offline stand-in for `ModalClient` (`apps.fromName`, `images.fromRegistry`, `sandboxes.create`,
 * `close`). Pass it as `createModalSandbox({ client })`.
 */
export class FakeModalClient implements ModalClientLike {
  /** Every sandbox created so far. */
  readonly createdSandboxes: FakeModalSandbox[] = [];
  readonly #apps = new Map<string, ModalApp>();
  #closed = false;

  readonly apps = {
    fromName: async (name: string, params: AppFromNameParams = {}): Promise<ModalApp> => {
      let app = this.#apps.get(name);
      if (!app) {
        if (!params.createIfMissing) throw new NotFoundError(`App '${name}' not found`);
        app = { appId: `ap-fake-${randomUUID().slice(0, 8)}` };
        this.#apps.set(name, app);
      }
      return app;
    },
  };

  readonly images = {
    fromRegistry: (tag: string): ModalImage => ({ imageId: `im-fake-${tag}` }),
  };

  readonly sandboxes = {
    create: async (app: ModalApp, image: ModalImage, params: SandboxCreateParams = {}): Promise<FakeModalSandbox> => {
      if (this.#closed) throw new Error('ModalClient has been closed');
      if (params.blockNetwork && (params.outboundCidrAllowlist || params.outboundDomainAllowlist)) {
        throw new InvalidError('blockNetwork cannot be used with outbound allowlists');
      }
      const local = await LocalSandboxRoot.create({ prefix: 'rlms-fake-modal-', home: ROOT_HOME });
      const sandbox = new FakeModalSandbox(local, app, image, params);
      this.createdSandboxes.push(sandbox);
      return sandbox;
    },
  };

  get closed(): boolean {
    return this.#closed;
  }

  close(): void {
    this.#closed = true;
  }

  /** Terminates every sandbox still running (for `afterAll`). */
  async terminateAll(): Promise<void> {
    await Promise.all(this.createdSandboxes.map((sandbox) => sandbox.terminate()));
  }
}
