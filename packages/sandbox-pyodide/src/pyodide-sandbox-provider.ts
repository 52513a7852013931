import { ConfigurationError, RLMAbortError, type CreateSessionOptions, type HostToolInfo, type SandboxCapabilities, type SandboxProviderV1 } from '@rlms/core/spec';
import { assertPythonIdentifier } from '@rlms/core/sandbox';
import { PyodideSandboxSession } from './pyodide-sandbox-session.js';
import { DEFAULT_MAX_FRAME_BYTES } from './pyodide-worker-handle.js';
import {
  resolvePyodideSandboxSettings,
  type PyodideSandboxSettings,
  type ResolvedPyodideSandboxSettings,
} from './pyodide-sandbox-settings.js';
import { WorkerPool } from './worker-pool.js';


const DEFAULT_MAX_OUTPUT_CHARS = 20_000;
const MIB = 1024 * 1024;
/** Smallest `maxFrameBytes` accepted (the runtime refuses less: an execution result must fit). */
const MIN_MAX_FRAME_BYTES = 64 * 1024;
/** Largest `maxFrameBytes` accepted (the channel's frame parts are uint32). */
const MAX_MAX_FRAME_BYTES = 0xffff_ffff;

function validateTools(tools: readonly HostToolInfo[] | undefined): readonly HostToolInfo[] {
  if (tools === undefined) return [];
  if (!Array.isArray(tools)) {
    throw new ConfigurationError('createSession(): `tools` must be an array of { name, description?, parameters? }.', {
      code: 'invalid-tools',
    });
  }
  const seen = new Set<string>();
  for (const tool of tools as readonly HostToolInfo[]) {
    const name = (tool as { name?: unknown } | null)?.name;
    assertPythonIdentifier(name, 'createSession(): tool name', 'invalid-tools');
    if (seen.has(name)) throw new ConfigurationError(`createSession(): tool ${name} is registered twice.`, { code: 'invalid-tools' });
    seen.add(name);
  }
  return tools;
}

/**
 * Creates the embedded Pyodide sandbox (CPython in WebAssembly, one capped sandbox process per
 * session). Does no I/O: Pyodide boots at the first `createSession()`. Call `provider.close()` when
 * done to end the warm pool.
 *
 * @example
 * const sandbox = createPyodideSandbox({ memoryLimitMiB: 1024 });
 * const session = await sandbox.createSession({ host });
 * await session.loadContext({ format: 'text', bytes: new TextEncoder().encode(longText) });
 * const result = await session.execute('print(len(context))', { timeoutMs: 30_000 });
 *
 * @throws ConfigurationError when a setting is invalid (the message names it and its range).
 */
export function createPyodideSandbox(settings: PyodideSandboxSettings = {}): PyodideSandboxProvider {
  return new PyodideSandboxProvider(settings);
}

/**
 * The embedded default sandbox: CPython compiled to WebAssembly (Pyodide), one sandbox process
 * (a `node` child with its own memory cap) per session. No Docker, no Python install, offline.
 *
 * Model code gets no host filesystem, network, processes or environment variables, and cannot
 * reach JavaScript; JavaScript that got there anyway could crash or exhaust only its own process
 * (see the README's threat model). Python threads do not exist here, so host calls run one at a
 * time from Python's side (`llm_query_batched` still runs its prompts in parallel on the host).
 */
export class PyodideSandboxProvider implements SandboxProviderV1 {
  readonly specificationVersion = 'rlms-sandbox-v1' as const;
  readonly name = 'pyodide';
  readonly capabilities: SandboxCapabilities;
  private readonly settings: ResolvedPyodideSandboxSettings;
  private readonly pool: WorkerPool;

  /**
   * Prefer `createPyodideSandbox(settings)`.
   * @param internal test-only options (`@rlms/sandbox-pyodide/testing`); never set them in an application.
   */
  constructor(settings: PyodideSandboxSettings = {}, internal: { readonly testHookSource?: string } = {}) {
    this.settings = resolvePyodideSandboxSettings(settings);
    this.pool = new WorkerPool(this.settings, internal.testHookSource);
    this.capabilities = Object.freeze({
      isolation: 'wasm',
      network: false,
      nativePackages: false,
      subprocess: false,
      interrupt: true,
      threads: false,
      // A text context needs its bytes plus the decoded str inside the heap, with room to work.
      maxContextBytes: Math.floor((this.settings.memoryLimitMiB * MIB) / 4),
    });
  }

  /**
   * Starts a session: takes a booted sandbox process from the warm pool (or boots one: a few
   * seconds for the first session ever, under a second once the memory snapshot exists in this
   * process or on disk; `session.snapshot` says which), then defines the runtime's functions and
   * `tools` in a fresh namespace.
   *
   * @throws ConfigurationError for an invalid `host`, `tools`, `maxOutputChars` or `maxFrameBytes`
   *   (an integer between 64 KiB and 4 GiB; default 64 MiB: the largest host-call request Python may
   *   send, beyond which the session is killed with a `ProtocolError` cause).
   * @throws SandboxError when Pyodide cannot start.
   * @throws RLMAbortError when `abortSignal` fires first.
   */
  async createSession(options: CreateSessionOptions): Promise<PyodideSandboxSession> {
    if (typeof options?.host?.call !== 'function') {
      throw new ConfigurationError('createSession(): `host` must be a HostBridge with a call(request, options) method.', {
        code: 'invalid-argument',
      });
    }
    const tools = validateTools(options.tools);
    const maxOutputChars = options.maxOutputChars ?? DEFAULT_MAX_OUTPUT_CHARS;
    if (!Number.isInteger(maxOutputChars) || maxOutputChars < 1) {
      throw new ConfigurationError(`createSession(): \`maxOutputChars\` must be a positive integer, got ${String(maxOutputChars)}.`, {
        code: 'invalid-argument',
      });
    }
    const maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    if (!Number.isInteger(maxFrameBytes) || maxFrameBytes < MIN_MAX_FRAME_BYTES || maxFrameBytes > MAX_MAX_FRAME_BYTES) {
      throw new ConfigurationError(
        `createSession(): \`maxFrameBytes\` must be an integer between ${MIN_MAX_FRAME_BYTES} and ${MAX_MAX_FRAME_BYTES}, got ${String(maxFrameBytes)}.`,
        { code: 'invalid-argument' },
      );
    }
    const signal = options.abortSignal;
    if (signal?.aborted) throw new RLMAbortError(undefined, { cause: signal.reason });

    const handle = await this.withAbort(this.pool.acquire(), signal, (late) => {
      void late.terminate('aborted', 'session creation was aborted');
    });
    const session = new PyodideSandboxSession(handle, {
      maxOutputChars,
      memoryLimitMiB: this.settings.memoryLimitMiB,
      interruptGraceMs: this.settings.interruptGraceMs,
      transferContextBytes: this.settings.transferContextBytes,
    });
    try {
      await this.withAbort(handle.ready, signal);
      handle.attach(options.host, { maxFrameBytes, maxOutputChars });
      await this.withAbort(session.configure({ tools, maxOutputChars, maxFrameBytes }, maxFrameBytes), signal);
    } catch (error) {
      await session.destroy();
      throw error;
    }
    return session;
  }

  /**
   * Kills the warm pool's sandbox processes and frees the memory snapshot, once it is written to
   * disk when it was being. Sessions already created keep running. Idempotent.
   */
  async close(): Promise<void> {
    await this.pool.close();
  }

  /** Awaits `promise` unless `signal` fires first; a value that arrives after the abort goes to `onLate`. */
  private async withAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, onLate?: (value: T) => void): Promise<T> {
    if (!signal) return promise;
    if (signal.aborted) {
      promise.then(onLate, () => undefined);
      throw new RLMAbortError(undefined, { cause: signal.reason });
    }
    return new Promise<T>((resolve, reject) => {
      const onAbort = (): void => {
        promise.then(onLate, () => undefined);
        reject(new RLMAbortError(undefined, { cause: signal.reason }));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      promise.then(
        (value) => {
          signal.removeEventListener('abort', onAbort);
          if (signal.aborted) return;
          resolve(value);
        },
        (error: unknown) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      );
    });
  }
}


