import { randomUUID } from 'node:crypto';
import { type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1, type SandboxSessionV1 } from '@rlms/core/spec';
import { SessionTracker, startupErrorFor, startupStep, throwIfAborted } from '@rlms/core/sandbox';
import type { SandboxOpts } from 'e2b';
import { loadDefaultE2BFactory, type E2BSandboxFactory, type E2BSandboxInstance } from './e2b-client.js';
import { E2BRuntimeTransport } from './e2b-runtime-transport.js';
import {
  DEFAULT_E2B_TEMPLATE,
  DEFAULT_E2B_TIMEOUT_MS,
  E2B_API_KEY_VARIABLE,
  checkE2BSandboxSettings,
  resolveE2BApiKey,
  type E2BSandboxSettings,
} from './e2b-sandbox-settings.js';

const SANDBOX_NAME = 'e2b';
/** E2B's `base` template has 512 MiB of memory; a context needs about 4× its size in Python at peak. */
const MAX_CONTEXT_BYTES = 128 * 1024 * 1024;
const ABORTED = 'Creating the E2B sandbox session was aborted.';

const noop = (): void => {};

/** Turns an SDK failure while starting a session into an rlms error that says what to do. */
const startupError = startupErrorFor({
  sandbox: SANDBOX_NAME,
  isAuthError: (error) => (error as { name?: unknown } | null)?.name === 'AuthenticationError',
  rejected: 'E2B rejected the API key',
  fix: `Check the ${E2B_API_KEY_VARIABLE} environment variable or the \`apiKey\` setting of createE2BSandbox.`,
});

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
    checkE2BSandboxSettings(settings);
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
    const apiKey = resolveE2BApiKey(settings);
    throwIfAborted(abortSignal, ABORTED);
    const startup = { startupError, abortSignal, abortMessage: ABORTED };
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
        ...(apiKey === undefined ? {} : { apiKey }),
      };
      // The creation request is not cancelled on abort (a sandbox it already made would be lost);
      // it is killed as soon as it arrives instead.
      sandbox = await startupStep(factory(sandboxOptions), {
        ...startup,
        step: 'create an E2B sandbox',
        onLate: (late) => void late.kill().catch(noop),
      });
    }
    const pending = this.#sessions.begin();
    const launch = E2BRuntimeTransport.launch(sandbox, {
      directory: `/tmp/rlms/${sessionKey}`,
      python: settings.python ?? 'python3',
      ownsSandbox,
      onClose: pending.closed,
    });
    const transport = await startupStep(launch, {
      ...startup,
      step: `start the rlms runtime in E2B sandbox ${sandbox.sandboxId}`,
      onLate: (late) => void late.kill().then(() => late.close()),
      onFailure: async () => {
        if (ownsSandbox) await sandbox.kill();
      },
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
