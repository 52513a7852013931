import { randomUUID } from 'node:crypto';
import { type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1, type SandboxSessionV1 } from '@rlms/core/spec';
import { SessionTracker, startupErrorFor, startupStep, throwIfAborted } from '@rlms/core/sandbox';
import type {
  CreateSandboxBaseParams,
  CreateSandboxFromImageParams,
  CreateSandboxFromSnapshotParams,
  DaytonaConfig,
} from '@daytonaio/sdk';
import { createDefaultDaytonaClient, type DaytonaClientLike, type DaytonaSandbox } from './daytona-client.js';
import { DaytonaRuntimeTransport } from './daytona-runtime-transport.js';
import {
  DAYTONA_API_KEY_VARIABLE,
  DEFAULT_DAYTONA_TIMEOUT_MS,
  checkDaytonaSandboxSettings,
  resolveDaytonaClientConfig,
  type DaytonaSandboxSettings,
} from './daytona-sandbox-settings.js';

const SANDBOX_NAME = 'daytona';
/** Daytona's default sandbox has 1 GiB of memory; a context needs about 4× its size at peak. */
const DEFAULT_MEMORY_GIB = 1;
const ABORTED = 'Creating the Daytona sandbox session was aborted.';

const noop = (): void => {};

/** Turns an SDK failure while starting a session into an rlms error that says what to do. */
const startupError = startupErrorFor({
  sandbox: SANDBOX_NAME,
  isAuthError: (error) => {
    const { name, statusCode } = (error ?? {}) as { name?: unknown; statusCode?: unknown };
    return name === 'DaytonaAuthenticationError' || name === 'DaytonaForbiddenError' || statusCode === 401 || statusCode === 403;
  },
  rejected: 'Daytona rejected the credentials',
  fix: `Check the ${DAYTONA_API_KEY_VARIABLE} environment variable or the \`apiKey\` setting of createDaytonaSandbox.`,
});

/**
 * Runs each rlms session in a Daytona sandbox. Create it with {@link createDaytonaSandbox}; see
 * that function for settings and errors.
 */
export class DaytonaSandboxProvider implements SandboxProviderV1 {
  readonly specificationVersion = 'rlms-sandbox-v1' as const;
  readonly name = SANDBOX_NAME;
  readonly capabilities: SandboxCapabilities;
  readonly #settings: DaytonaSandboxSettings;
  readonly #sessions = new SessionTracker();
  #client: Promise<DaytonaClientLike> | undefined;

  constructor(settings: DaytonaSandboxSettings = {}) {
    checkDaytonaSandboxSettings(settings);
    this.#settings = settings;
    this.capabilities = {
      isolation: 'container',
      network: settings.networkBlockAll === false,
      nativePackages: true,
      subprocess: true,
      interrupt: true,
      threads: true,
      maxContextBytes: ((settings.memoryGiB ?? DEFAULT_MEMORY_GIB) * 1024 * 1024 * 1024) / 4,
    };
  }

  /** Sessions created by this provider and not destroyed yet. */
  get liveSessions(): number {
    return this.#sessions.size;
  }

  #getClient(): Promise<DaytonaClientLike> {
    const settings = this.#settings;
    if (settings.client !== undefined) return Promise.resolve(settings.client);
    let config: DaytonaConfig;
    try {
      config = resolveDaytonaClientConfig(settings);
    } catch (error) {
      return Promise.reject(error);
    }
    this.#client ??= createDefaultDaytonaClient(config).catch((error: unknown) => {
      this.#client = undefined;
      throw startupError(error, 'create a Daytona client');
    });
    return this.#client;
  }

  #createParams(sessionKey: string): CreateSandboxFromSnapshotParams | CreateSandboxFromImageParams {
    const settings = this.#settings;
    const minutes = Math.ceil((settings.timeoutMs ?? DEFAULT_DAYTONA_TIMEOUT_MS) / 60_000);
    const base: CreateSandboxBaseParams = {
      labels: { ...settings.labels, rlms: 'true', rlmsSession: sessionKey, rlmsCreatedAt: new Date().toISOString() },
      networkBlockAll: settings.networkBlockAll !== false,
      ephemeral: true,
      autoStopInterval: minutes,
      ttlMinutes: minutes,
    };
    if (settings.image !== undefined) {
      const resources = {
        ...(settings.cpu === undefined ? {} : { cpu: settings.cpu }),
        ...(settings.memoryGiB === undefined ? {} : { memory: settings.memoryGiB }),
      };
      return { ...base, image: settings.image, ...(Object.keys(resources).length > 0 ? { resources } : {}) };
    }
    return settings.snapshot === undefined ? base : { ...base, snapshot: settings.snapshot };
  }

  /**
   * Creates a Daytona sandbox, uploads and starts the runtime, and returns the session.
   *
   * @throws ConfigurationError no API key (`DAYTONA_API_KEY` unset and no `apiKey`), or Daytona rejected it.
   * @throws SandboxError the sandbox or the runtime could not be started (`code: 'startup-failed'`).
   * @throws RLMAbortError `options.abortSignal` fired; a sandbox created meanwhile is deleted.
   */
  async createSession(options: CreateSessionOptions): Promise<SandboxSessionV1> {
    const { abortSignal } = options;
    const client = await this.#getClient();
    throwIfAborted(abortSignal, ABORTED);
    const sessionKey = randomUUID();
    const creation = (async (): Promise<{ sandbox: DaytonaSandbox; workDir: string }> => {
      const params = this.#createParams(sessionKey);
      const sandbox = 'image' in params ? await client.create(params) : await client.create(params);
      try {
        return { sandbox, workDir: (await sandbox.getWorkDir()) ?? '/tmp' };
      } catch (error) {
        await sandbox.delete().catch(noop);
        throw error;
      }
    })();
    const startup = { startupError, abortSignal, abortMessage: ABORTED };
    const { sandbox, workDir } = await startupStep(creation, {
      ...startup,
      step: 'create a Daytona sandbox',
      onLate: (late) => void late.sandbox.delete().catch(noop),
    });
    const pending = this.#sessions.begin();
    const launch = DaytonaRuntimeTransport.launch(sandbox, {
      directory: `${workDir.replace(/\/+$/, '')}/.rlms/${sessionKey}`,
      sessionId: `rlms-${sessionKey}`,
      python: this.#settings.python ?? 'python3',
      onClose: pending.closed,
    });
    const transport = await startupStep(launch, {
      ...startup,
      step: `start the rlms runtime in Daytona sandbox ${sandbox.id}`,
      onLate: (late) => void late.close(),
      onFailure: () => sandbox.delete(),
    });
    // On failure createFrameSession kills and closes the transport: the sandbox is deleted.
    return pending.start(SANDBOX_NAME, transport, options);
  }

  /** Destroys every session still alive (their sandboxes are deleted). Idempotent. */
  async close(): Promise<void> {
    await this.#sessions.destroyAll();
  }
}

/**
 * Creates the Daytona sandbox provider: each session runs the rlms Python runtime in its own
 * ephemeral Daytona sandbox, with the network blocked by default, deleted when the session is
 * destroyed. Does no I/O: the SDK is loaded and credentials are checked when a session is created.
 *
 * @param settings see {@link DaytonaSandboxSettings}; all optional.
 * @throws ConfigurationError a setting has the wrong type or range.
 *
 * @example
 * ```ts
 * import { createDaytonaSandbox } from '@rlms/sandbox-daytona';
 * const sandbox = createDaytonaSandbox(); // DAYTONA_API_KEY from the environment
 * ```
 */
export function createDaytonaSandbox(settings: DaytonaSandboxSettings = {}): DaytonaSandboxProvider {
  return new DaytonaSandboxProvider(settings);
}
