import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, RLMAbortError, SandboxError, type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1 } from '@rlms/core/spec';
import { createFrameSession, type FrameSession } from '@rlms/core/sandbox';
import { SESSION_MARKER_VARIABLE, spawnLocalRuntime } from './local-process-transport.js';
import { PythonNotFoundError } from './python-not-found-error.js';
import { resolveLocalSandboxSettings, type LocalSandboxSettings, type ResolvedLocalSandboxSettings } from './local-sandbox-settings.js';

const CAPABILITIES: SandboxCapabilities = Object.freeze({
  isolation: 'none',
  network: true,
  nativePackages: true,
  subprocess: true,
  interrupt: true,
  threads: true,
});

/**
 * The local sandbox: one host `python3` subprocess per session. **Not a security sandbox** — see
 * `createLocalSandbox`.
 */
export class LocalSandboxProvider implements SandboxProviderV1 {
  readonly specificationVersion = 'rlms-sandbox-v1' as const;
  readonly name = 'local';
  readonly capabilities: SandboxCapabilities = CAPABILITIES;
  /** The interpreter sessions run. */
  readonly pythonPath: string;
  readonly #settings: ResolvedLocalSandboxSettings;
  readonly #sessions = new Set<FrameSession>();

  /** Prefer {@link createLocalSandbox}. @throws ConfigurationError invalid settings. */
  constructor(settings: LocalSandboxSettings = {}) {
    this.#settings = resolveLocalSandboxSettings(settings);
    this.pythonPath = this.#settings.pythonPath;
  }

  /**
   * Starts a Python subprocess (own process group, minimal environment, private temp dir as
   * `HOME`/`TMPDIR` and default working directory) running the rlms runtime.
   *
   * @throws PythonNotFoundError the interpreter is missing (`code: 'python-not-found'`) or older than 3.10 (`'python-too-old'`).
   * @throws ConfigurationError `cwd` does not exist, or invalid session options.
   * @throws SandboxError the runtime did not start (message includes its stderr).
   * @throws RLMAbortError `options.abortSignal` fired.
   */
  async createSession(options: CreateSessionOptions): Promise<FrameSession> {
    if (options.abortSignal?.aborted === true) {
      throw new RLMAbortError('Creating the local sandbox session was aborted.', { cause: options.abortSignal.reason });
    }
    const { cwd } = this.#settings;
    if (cwd !== undefined) {
      const info = await stat(cwd).catch(() => undefined);
      if (info?.isDirectory() !== true) {
        throw new ConfigurationError(`createLocalSandbox: cwd ${JSON.stringify(cwd)} is not an existing directory.`);
      }
    }
    const tempDir = await mkdtemp(join(tmpdir(), 'rlms-local-'));
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: tempDir,
      TMPDIR: tempDir,
      LANG: 'C.UTF-8',
      PYTHONUNBUFFERED: '1',
      PYTHONIOENCODING: 'utf-8',
      ...this.#settings.env,
      // Lets destroy() find processes model code detached from the session's process group.
      [SESSION_MARKER_VARIABLE]: randomUUID(),
    };
    let session: FrameSession | undefined;
    let spawned;
    try {
      spawned = spawnLocalRuntime({
        pythonPath: this.pythonPath,
        cwd: cwd ?? tempDir,
        env,
        tempDir,
        onClosed: () => {
          if (session !== undefined) this.#sessions.delete(session);
        },
      });
    } catch (error) {
      await rm(tempDir, { recursive: true, force: true }).catch(() => undefined);
      throw new PythonNotFoundError(this.pythonPath, { detail: errorMessage(error), cause: error });
    }
    try {
      session = await createFrameSession({
        sandbox: 'local',
        transport: spawned.transport,
        host: options.host,
        ...(options.tools === undefined ? {} : { tools: options.tools }),
        ...(options.maxOutputChars === undefined ? {} : { maxOutputChars: options.maxOutputChars }),
        ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
        startupTimeoutMs: this.#settings.startupTimeoutMs,
        interruptGraceMs: this.#settings.interruptGraceMs,
        ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
      });
    } catch (error) {
      throw this.#explainStartupError(error);
    }
    this.#sessions.add(session);
    return session;
  }

  /** Destroys every session of this provider that is still alive. Idempotent. */
  async close(): Promise<void> {
    const sessions = [...this.#sessions];
    this.#sessions.clear();
    await Promise.all(sessions.map((session) => session.destroy()));
  }

  #explainStartupError(error: unknown): unknown {
    if (!SandboxError.isInstance(error) || error.code !== 'startup-failed') return error;
    const cause = (error as { cause?: unknown }).cause as NodeJS.ErrnoException | undefined;
    if (cause?.code === 'ENOENT' || cause?.code === 'EACCES') {
      return new PythonNotFoundError(this.pythonPath, { detail: cause.message, cause: error });
    }
    if (error.message.includes('requires Python >= 3.10')) {
      return new PythonNotFoundError(this.pythonPath, { tooOld: true, cause: error });
    }
    return error;
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * **WARNING: the local sandbox is NOT a security sandbox.** Model-written code runs as a plain
 * `python3` subprocess of your process, as your user. It does not isolate:
 * - the filesystem (it can read and write every file your user can, including `~/.ssh`, source
 *   trees and credentials files; only `HOME` and the working directory point at a private temp dir);
 * - the network (it can reach the internet, your LAN and cloud metadata endpoints);
 * - processes (it can start programs, signal your other processes, and use all CPU and memory);
 * - other sessions' files (same user).
 * Only the environment is reduced (no variables from `process.env` except `PATH`, so no API keys).
 * Use it for trusted inputs and development; use `@rlms/sandbox-docker` or a cloud sandbox for
 * untrusted inputs, or `@rlms/sandbox-pyodide` (WebAssembly) when native packages are not needed.
 *
 * Creates the local sandbox provider: one host Python subprocess per session, the fastest option,
 * with native packages (numpy, pandas) when they are installed for that interpreter. Does no I/O.
 *
 * Each session: `python3 -u -I rlms_runtime.py` (isolated mode: ignores `PYTHON*` variables and the
 * user site directory) in its own process group, with a minimal environment (`PATH`, `HOME` and
 * `TMPDIR` = a fresh private temp dir, `LANG=C.UTF-8`, `PYTHONUNBUFFERED`, `PYTHONIOENCODING`, plus
 * `settings.env`). `destroy()` kills the whole process group (also what model code spawned) and
 * removes the temp dir.
 *
 * Capabilities: isolation `'none'`, network, native packages, subprocesses, interrupts, threads.
 *
 * @param settings `pythonPath` (default `RLMS_PYTHON` or `'python3'`), `env` (default none),
 *   `cwd` (default the session temp dir), `startupTimeoutMs` (default 20 000),
 *   `interruptGraceMs` (default 2 000).
 * @throws ConfigurationError invalid settings.
 *
 * @example
 * ```ts
 * import { createLocalSandbox } from '@rlms/sandbox-local';
 * const sandbox = createLocalSandbox({ pythonPath: '/usr/bin/python3' });
 * ```
 */
export function createLocalSandbox(settings: LocalSandboxSettings = {}): LocalSandboxProvider {
  return new LocalSandboxProvider(settings);
}
