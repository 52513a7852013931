import { randomUUID } from 'node:crypto';
import { ConfigurationError, RLMError, SandboxError, type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1, type SandboxSessionV1 } from '@rlms/core/spec';
import { SessionTracker, raceAbort, throwIfAborted } from '@rlms/core/sandbox';
import type {
  CreateSandboxBaseParams,
  CreateSandboxFromImageParams,
  CreateSandboxFromSnapshotParams,
  DaytonaConfig,
} from '@daytonaio/sdk';
import { createDefaultDaytonaClient, type DaytonaClientLike, type DaytonaSandbox } from './daytona-client.js';
import { DaytonaRuntimeTransport } from './daytona-runtime-transport.js';
import { DEFAULT_DAYTONA_TIMEOUT_MS, type DaytonaSandboxSettings } from './daytona-sandbox-settings.js';

const SANDBOX_NAME = 'daytona';
const API_KEY_VARIABLE = 'DAYTONA_API_KEY';
/** Daytona's default sandbox has 1 GiB of memory; a context needs about 4× its size at peak. */
const DEFAULT_MEMORY_GIB = 1;
const ABORTED = 'Creating the Daytona sandbox session was aborted.';

const noop = (): void => {};

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns an SDK failure while starting a session into an rlms error that says what to do. */
function startupError(error: unknown, step: string): Error {
  if (RLMError.isInstance(error)) return error;
  const { name, statusCode } = (error ?? {}) as { name?: unknown; statusCode?: unknown };
  if (name === 'DaytonaAuthenticationError' || name === 'DaytonaForbiddenError' || statusCode === 401 || statusCode === 403) {
    return new ConfigurationError(
      `Daytona rejected the credentials (${describe(error)}). Check the ${API_KEY_VARIABLE} environment variable or the \`apiKey\` setting of createDaytonaSandbox.`,
      { code: 'invalid-api-key', cause: error },
    );
  }
  return new SandboxError(`Could not ${step}: ${describe(error)}`, { sandbox: SANDBOX_NAME, code: 'startup-failed', cause: error });
}

function validate(settings: DaytonaSandboxSettings): void {
  const fail = (message: string): never => {
    throw new ConfigurationError(`createDaytonaSandbox: ${message}`);
  };
  if (typeof settings !== 'object' || settings === null) fail('settings must be an object.');
  const { apiKey, apiUrl, target, snapshot, image, cpu, memoryGiB, timeoutMs, networkBlockAll, labels, python, client } = settings;
  for (const [name, value] of Object.entries({ apiKey, apiUrl, target, snapshot, image, python })) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) fail(`\`${name}\` must be a non-empty string.`);
  }
  if (snapshot !== undefined && image !== undefined) fail('pass either `snapshot` or `image`, not both.');
  if ((cpu !== undefined || memoryGiB !== undefined) && image === undefined) {
    fail('`cpu` and `memoryGiB` need `image`: a snapshot fixes the size of its sandboxes.');
  }
  if (cpu !== undefined && !(Number.isSafeInteger(cpu) && cpu > 0)) fail(`\`cpu\` must be a positive integer, got ${String(cpu)}.`);
  if (memoryGiB !== undefined && !(Number.isSafeInteger(memoryGiB) && memoryGiB > 0)) {
    fail(`\`memoryGiB\` must be a positive integer (GiB), got ${String(memoryGiB)}.`);
  }
  if (timeoutMs !== undefined && !(Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) {
    fail(`\`timeoutMs\` must be a positive integer (milliseconds), got ${String(timeoutMs)}.`);
  }
  if (networkBlockAll !== undefined && typeof networkBlockAll !== 'boolean') fail('`networkBlockAll` must be a boolean.');
  if (labels !== undefined) {
    if (typeof labels !== 'object' || labels === null) fail('`labels` must be an object of strings.');
    for (const [key, value] of Object.entries(labels)) if (typeof value !== 'string') fail(`\`labels.${key}\` must be a string.`);
  }
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.create !== 'function')) {
    fail('`client` must be a Daytona client from `@daytonaio/sdk` (or the fake from @rlms/sandbox-daytona/testing).');
  }
}

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
    validate(settings);
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
    const apiKey = settings.apiKey ?? process.env[API_KEY_VARIABLE];
    const jwt = process.env['DAYTONA_JWT_TOKEN'] && process.env['DAYTONA_ORGANIZATION_ID'];
    if (!apiKey && !jwt) {
      return Promise.reject(
        new ConfigurationError(
          `No Daytona API key: set the ${API_KEY_VARIABLE} environment variable or pass createDaytonaSandbox({ apiKey }). ` +
            'Create a key at https://app.daytona.io/dashboard/keys.',
          { code: 'missing-api-key' },
        ),
      );
    }
    const config: DaytonaConfig = {
      ...(apiKey ? { apiKey } : {}),
      ...(settings.apiUrl === undefined ? {} : { apiUrl: settings.apiUrl }),
      ...(settings.target === undefined ? {} : { target: settings.target }),
    };
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
    const { sandbox, workDir } = await raceAbort(creation, abortSignal, {
      message: ABORTED,
      onLate: (late) => void late.sandbox.delete().catch(noop),
    }).catch((error: unknown) => {
      throw startupError(error, 'create a Daytona sandbox');
    });
    const pending = this.#sessions.begin();
    const launch = DaytonaRuntimeTransport.launch(sandbox, {
      directory: `${workDir.replace(/\/+$/, '')}/.rlms/${sessionKey}`,
      sessionId: `rlms-${sessionKey}`,
      python: this.#settings.python ?? 'python3',
      onClose: pending.closed,
    });
    const transport = await raceAbort(launch, abortSignal, { message: ABORTED, onLate: (late) => void late.close() }).catch(
      async (error: unknown) => {
        await sandbox.delete().catch(noop);
        throw startupError(error, `start the rlms runtime in Daytona sandbox ${sandbox.id}`);
      },
    );
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
