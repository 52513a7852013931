import { randomUUID } from 'node:crypto';
import { ConfigurationError, RLMError, SandboxError, type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1, type SandboxSessionV1 } from '@rlms/core/spec';
import { SessionTracker, raceAbort, throwIfAborted } from '@rlms/core/sandbox';
import type { SandboxOpts } from 'e2b';
import { loadDefaultE2BFactory, type E2BSandboxFactory, type E2BSandboxInstance } from './e2b-client.js';
import { E2BRuntimeTransport } from './e2b-runtime-transport.js';
import { DEFAULT_E2B_TEMPLATE, DEFAULT_E2B_TIMEOUT_MS, type E2BSandboxSettings } from './e2b-sandbox-settings.js';

const SANDBOX_NAME = 'e2b';
const API_KEY_VARIABLE = 'E2B_API_KEY';
/** E2B's `base` template has 512 MiB of memory; a context needs about 4× its size in Python at peak. */
const MAX_CONTEXT_BYTES = 128 * 1024 * 1024;
const ABORTED = 'Creating the E2B sandbox session was aborted.';

const noop = (): void => {};

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Turns an SDK failure while starting a session into an rlms error that says what to do. */
function startupError(error: unknown, step: string): Error {
  if (RLMError.isInstance(error)) return error;
  if ((error as { name?: unknown } | null)?.name === 'AuthenticationError') {
    return new ConfigurationError(
      `E2B rejected the API key (${describe(error)}). Check the ${API_KEY_VARIABLE} environment variable or the \`apiKey\` setting of createE2BSandbox.`,
      { code: 'invalid-api-key', cause: error },
    );
  }
  return new SandboxError(`Could not ${step}: ${describe(error)}`, { sandbox: SANDBOX_NAME, code: 'startup-failed', cause: error });
}

function validate(settings: E2BSandboxSettings): void {
  const fail = (message: string): never => {
    throw new ConfigurationError(`createE2BSandbox: ${message}`);
  };
  if (typeof settings !== 'object' || settings === null) fail('settings must be an object.');
  const { apiKey, template, timeoutMs, python, metadata, sandbox, allowInternetAccess } = settings;
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === '')) fail('`apiKey` must be a non-empty string.');
  if (template !== undefined && (typeof template !== 'string' || template === '')) fail('`template` must be a template name or id.');
  if (python !== undefined && (typeof python !== 'string' || python === '')) fail('`python` must be an executable name such as "python3".');
  if (timeoutMs !== undefined && !(Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) {
    fail(`\`timeoutMs\` must be a positive integer (milliseconds), got ${String(timeoutMs)}.`);
  }
  if (allowInternetAccess !== undefined && typeof allowInternetAccess !== 'boolean') fail('`allowInternetAccess` must be a boolean.');
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null) fail('`metadata` must be an object of strings.');
    for (const [key, value] of Object.entries(metadata)) {
      if (typeof value !== 'string') fail(`\`metadata.${key}\` must be a string.`);
    }
  }
  if (sandbox !== undefined && typeof sandbox !== 'function') {
    const instance = sandbox as Partial<E2BSandboxInstance> | null;
    if (typeof instance !== 'object' || instance === null || typeof instance.commands?.run !== 'function' || typeof instance.files?.write !== 'function') {
      fail('`sandbox` must be an e2b Sandbox (from `await Sandbox.create()`) or a factory `(options) => Promise<Sandbox>`.');
    }
  }
}

/**
 * Runs each rlms session in an E2B cloud sandbox (a Firecracker micro-VM). Create it with
 * {@link createE2BSandbox}; see that function for settings and errors.
 */
export class E2BSandboxProvider implements SandboxProviderV1 {
  readonly specificationVersion = 'rlms-sandbox-v1' as const;
  readonly name = SANDBOX_NAME;
  readonly capabilities: SandboxCapabilities;
  readonly #settings: E2BSandboxSettings;
  readonly #sessions = new SessionTracker();

  constructor(settings: E2BSandboxSettings = {}) {
    validate(settings);
    this.#settings = settings;
    this.capabilities = {
      isolation: 'vm',
      network: settings.allowInternetAccess === true,
      nativePackages: true,
      subprocess: true,
      interrupt: true,
      threads: true,
      maxContextBytes: MAX_CONTEXT_BYTES,
    };
  }

  /** Sessions created by this provider and not destroyed yet. */
  get liveSessions(): number {
    return this.#sessions.size;
  }

  /**
   * Creates a sandbox (or uses the shared one), uploads and starts the runtime, and returns the session.
   *
   * @throws ConfigurationError no API key (`E2B_API_KEY` unset and no `apiKey`), or E2B rejected it.
   * @throws SandboxError the sandbox or the runtime could not be started (`code: 'startup-failed'`).
   * @throws RLMAbortError `options.abortSignal` fired; a sandbox created meanwhile is killed.
   */
  async createSession(options: CreateSessionOptions): Promise<SandboxSessionV1> {
    const settings = this.#settings;
    const { abortSignal } = options;
    const injected = settings.sandbox;
    const apiKey = settings.apiKey ?? process.env[API_KEY_VARIABLE];
    if (injected === undefined && (apiKey === undefined || apiKey === '')) {
      throw new ConfigurationError(
        `No E2B API key: set the ${API_KEY_VARIABLE} environment variable or pass createE2BSandbox({ apiKey }). Get a key at https://e2b.dev/dashboard.`,
        { code: 'missing-api-key' },
      );
    }
    throwIfAborted(abortSignal, ABORTED);
    const sessionKey = randomUUID();
    const ownsSandbox = typeof injected !== 'object';
    let sandbox: E2BSandboxInstance;
    if (typeof injected === 'object') {
      sandbox = injected;
    } else {
      const factory: E2BSandboxFactory = injected ?? (await loadDefaultE2BFactory());
      const sandboxOptions: SandboxOpts = {
        template: settings.template ?? DEFAULT_E2B_TEMPLATE,
        timeoutMs: settings.timeoutMs ?? DEFAULT_E2B_TIMEOUT_MS,
        allowInternetAccess: settings.allowInternetAccess === true,
        metadata: {
          ...settings.metadata,
          rlms: 'true',
          rlmsSession: sessionKey,
          rlmsCreatedAt: new Date().toISOString(),
        },
        ...(apiKey === undefined || apiKey === '' ? {} : { apiKey }),
      };
      // The creation request is not cancelled on abort (a sandbox it already made would be lost);
      // it is killed as soon as it arrives instead.
      sandbox = await raceAbort(factory(sandboxOptions), abortSignal, {
        message: ABORTED,
        onLate: (late) => void late.kill().catch(noop),
      }).catch((error: unknown) => {
        throw startupError(error, 'create an E2B sandbox');
      });
    }
    const pending = this.#sessions.begin();
    const launch = E2BRuntimeTransport.launch(sandbox, {
      directory: `/tmp/rlms/${sessionKey}`,
      python: settings.python ?? 'python3',
      ownsSandbox,
      onClose: pending.closed,
    });
    const transport = await raceAbort(launch, abortSignal, {
      message: ABORTED,
      onLate: (late) => void late.kill().then(() => late.close()),
    }).catch(async (error: unknown) => {
      if (ownsSandbox) await sandbox.kill().catch(() => false);
      throw startupError(error, `start the rlms runtime in E2B sandbox ${sandbox.sandboxId}`);
    });
    // On failure createFrameSession kills and closes the transport, which kills an owned sandbox.
    return pending.start(SANDBOX_NAME, transport, options);
  }

  /** Destroys every session still alive (their sandboxes are killed). Idempotent. */
  async close(): Promise<void> {
    await this.#sessions.destroyAll();
  }
}

/**
 * Creates the E2B sandbox provider: each session runs the rlms Python runtime in its own E2B
 * sandbox (a cloud micro-VM), killed when the session is destroyed. Does no I/O: the SDK is
 * loaded and credentials are checked when a session is created.
 *
 * @param settings see {@link E2BSandboxSettings}; all optional.
 * @throws ConfigurationError a setting has the wrong type or range.
 *
 * @example
 * ```ts
 * import { createE2BSandbox } from '@rlms/sandbox-e2b';
 * const sandbox = createE2BSandbox({ timeoutMs: 30 * 60_000 }); // E2B_API_KEY from the environment
 * ```
 */
export function createE2BSandbox(settings: E2BSandboxSettings = {}): E2BSandboxProvider {
  return new E2BSandboxProvider(settings);
}
