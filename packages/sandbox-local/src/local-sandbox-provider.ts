import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, RLMAbortError, SandboxError, type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1 } from '@rlms/core/spec';
import { createFrameSession, type FrameSession } from '@rlms/core/sandbox';
import { SESSION_MARKER_VARIABLE, spawnLocalRuntime } from './local-process-transport.js';
import { PythonNotFoundError } from './python-not-found-error.js';

/** Settings of {@link createLocalSandbox}. */
export interface LocalSandboxSettings {
  /**
   * Python interpreter to run (≥ 3.10), a path or a command looked up on `PATH`.
   * Default: the `RLMS_PYTHON` environment variable, else `'python3'`.
   */
  readonly pythonPath?: string;
  /**
   * Extra environment variables for the Python process, added to the minimal environment
   * (`PATH`, `HOME`, `TMPDIR`, `LANG`, `PYTHONUNBUFFERED`, `PYTHONIOENCODING`). Default none.
   * Nothing else from `process.env` reaches Python: pass what code really needs, never API keys.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory of the Python process. Default: the session's fresh private temp dir (removed on `destroy()`). */
  readonly cwd?: string;
  /** How long Python gets to start and report ready, in ms. Default 20 000. */
  readonly startupTimeoutMs?: number;
  /** After a timeout or abort interrupts a cell, how long it gets to stop before the process group is killed, in ms. Default 2 000. */
  readonly interruptGraceMs?: number;
}

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
  readonly #settings: LocalSandboxSettings;
  readonly #sessions = new Set<FrameSession>();

  constructor(settings: LocalSandboxSettings = {}) {
    validateSettings(settings);
    this.#settings = settings;
    const fromEnv = process.env.RLMS_PYTHON;
    this.pythonPath = settings.pythonPath ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'python3');
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
        startupTimeoutMs: this.#settings.startupTimeoutMs ?? 20_000,
        interruptGraceMs: this.#settings.interruptGraceMs ?? 2_000,
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

function validateSettings(settings: LocalSandboxSettings): void {
  if (typeof settings !== 'object' || settings === null) {
    throw new ConfigurationError('createLocalSandbox(settings): settings must be an object.');
  }
  if (settings.pythonPath !== undefined && (typeof settings.pythonPath !== 'string' || settings.pythonPath === '')) {
    throw new ConfigurationError('createLocalSandbox: pythonPath must be a non-empty string such as "python3".');
  }
  if (settings.cwd !== undefined && (typeof settings.cwd !== 'string' || settings.cwd === '')) {
    throw new ConfigurationError('createLocalSandbox: cwd must be a non-empty path.');
  }
  if (settings.env !== undefined) {
    if (typeof settings.env !== 'object' || settings.env === null) {
      throw new ConfigurationError('createLocalSandbox: env must be an object of string values.');
    }
    for (const [key, value] of Object.entries(settings.env)) {
      if (typeof value !== 'string') {
        throw new ConfigurationError(`createLocalSandbox: env.${key} must be a string, got ${typeof value}.`);
      }
    }
  }
  for (const name of ['startupTimeoutMs', 'interruptGraceMs'] as const) {
    const value = settings[name];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
      throw new ConfigurationError(`createLocalSandbox: ${name} must be a positive integer of milliseconds, got ${String(value)}.`);
    }
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
