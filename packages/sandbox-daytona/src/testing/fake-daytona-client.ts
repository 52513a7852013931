import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  DaytonaNotFoundError,
  type CreateSandboxFromImageParams,
  type CreateSandboxFromSnapshotParams,
  type UploadSource,
  type UploadStreamOptions,
} from '@daytonaio/sdk';
import type { DaytonaClientLike, DaytonaFileSystem, DaytonaSandbox } from '../daytona-client.js';
import { FakeDaytonaProcess } from './fake-daytona-process.js';
import { LocalSandboxRoot } from '@rlms/core/testing';

async function readSource(source: UploadSource): Promise<Uint8Array> {
  if (typeof source === 'string') return readFile(source); // a local file path, like the SDK
  if (source instanceof Uint8Array) return source;
  if (source instanceof ReadableStream) return new Uint8Array(await new Response(source).arrayBuffer());
  const parts: Buffer[] = [];
  for await (const chunk of source) parts.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(parts);
}

/** Offline stand-in for `sandbox.fs` (streaming uploads; relative paths start at the working directory). */
export class FakeDaytonaFileSystem implements DaytonaFileSystem {
  /** Every absolute path uploaded, in order. */
  readonly uploaded: string[] = [];
  readonly #sandbox: FakeDaytonaSandbox;

  constructor(sandbox: FakeDaytonaSandbox) {
    this.#sandbox = sandbox;
  }

  async uploadFileStream(source: UploadSource, remotePath: string, options: UploadStreamOptions = {}): Promise<void> {
    this.#sandbox.assertAlive();
    if (options.signal?.aborted) throw options.signal.reason;
    const bytes = await readSource(source);
    this.uploaded.push(await this.#sandbox.local.writeFile(remotePath, bytes));
    options.onProgress?.({ bytesSent: bytes.byteLength });
  }
}

/**
 * Offline stand-in for a Daytona `Sandbox`: its filesystem is a private temporary directory whose
 * path `getWorkDir()` reports, and its processes are local ones running the real `python3`.
 * The creation parameters are recorded (`labels`, `networkBlockAll`, `ephemeral`…).
 */
export class FakeDaytonaSandbox implements DaytonaSandbox {
  readonly id = `fake-${randomUUID().slice(0, 8)}`;
  readonly params: CreateSandboxFromSnapshotParams | CreateSandboxFromImageParams;
  readonly local: LocalSandboxRoot;
  readonly process: FakeDaytonaProcess;
  readonly fs: FakeDaytonaFileSystem;
  #deleted = false;

  constructor(local: LocalSandboxRoot, params: CreateSandboxFromSnapshotParams | CreateSandboxFromImageParams) {
    this.local = local;
    this.params = params;
    this.process = new FakeDaytonaProcess(local, () => this.assertAlive());
    this.fs = new FakeDaytonaFileSystem(this);
  }

  get deleted(): boolean {
    return this.#deleted;
  }

  assertAlive(): void {
    if (this.#deleted) throw new DaytonaNotFoundError(`Sandbox with ID or name ${this.id} not found`, 404);
  }

  async getWorkDir(): Promise<string | undefined> {
    this.assertAlive();
    return this.local.homePath;
  }

  async delete(_timeout?: number, _wait?: boolean): Promise<void> {
    this.assertAlive();
    this.#deleted = true;
    this.process.killAll();
    await this.local.dispose();
  }
}

/** Offline stand-in for the `Daytona` client (`create`). Pass it as `createDaytonaSandbox({ client })`. */
export class FakeDaytonaClient implements DaytonaClientLike {
  /** Every sandbox created so far. */
  readonly createdSandboxes: FakeDaytonaSandbox[] = [];

  create(params?: CreateSandboxFromSnapshotParams, options?: { timeout?: number }): Promise<FakeDaytonaSandbox>;
  create(
    params?: CreateSandboxFromImageParams,
    options?: { onSnapshotCreateLogs?: (chunk: string) => void; timeout?: number },
  ): Promise<FakeDaytonaSandbox>;
  async create(
    params: CreateSandboxFromSnapshotParams | CreateSandboxFromImageParams = {},
  ): Promise<FakeDaytonaSandbox> {
    const sandbox = new FakeDaytonaSandbox(await LocalSandboxRoot.create({ prefix: 'rlms-fake-daytona-', home: '/home/daytona', paths: 'host' }), params);
    this.createdSandboxes.push(sandbox);
    return sandbox;
  }

  /** Deletes every sandbox still alive (for `afterAll`). */
  async deleteAll(): Promise<void> {
    await Promise.all(this.createdSandboxes.filter((sandbox) => !sandbox.deleted).map((sandbox) => sandbox.delete()));
  }
}
