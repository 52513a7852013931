import { randomUUID } from 'node:crypto';
import { type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1, type SandboxSessionV1 } from '@rlms/core/spec';
import { SessionTracker, startupErrorFor, startupStep, throwIfAborted } from '@rlms/core/sandbox';
import { createDefaultModalClient, type ModalClientLike, type ModalSandbox } from './modal-client.js';
import { ModalRuntimeTransport } from './modal-runtime-transport.js';
import {
  DEFAULT_MODAL_APP,
  DEFAULT_MODAL_IMAGE,
  DEFAULT_MODAL_MEMORY_MIB,
  DEFAULT_MODAL_TIMEOUT_MS,
  checkModalSandboxSettings,
  resolveModalClientParams,
  type ModalSandboxSettings,
} from './modal-sandbox-settings.js';

const SANDBOX_NAME = 'modal';
/** gRPC status UNAUTHENTICATED / PERMISSION_DENIED. */
const AUTH_STATUS_CODES = new Set([16, 7]);
const ABORTED = 'Creating the Modal sandbox session was aborted.';

const noop = (): void => {};

function isAuthError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  return (typeof code === 'number' && AUTH_STATUS_CODES.has(code)) || /credentials|unauthenticated|token/i.test(message);
}

/** Turns an SDK failure while starting a session into an rlms error that says what to do. */
const startupError = startupErrorFor({
  sandbox: SANDBOX_NAME,
  isAuthError,
  rejected: 'Modal rejected the credentials',
  fix:
    'Check MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (or `modal token new`), ' +
    'or the `tokenId`/`tokenSecret` settings of createModalSandbox.',
});

/**
 * Runs each rlms session in a Modal sandbox (a gVisor container on Modal's cloud). Create it with
 * {@link createModalSandbox}; see that function for settings and errors.
 */
export class ModalSandboxProvider implements SandboxProviderV1 {
  readonly specificationVersion = 'rlms-sandbox-v1' as const;
  readonly name = SANDBOX_NAME;
  readonly capabilities: SandboxCapabilities;
  readonly #settings: ModalSandboxSettings;
  readonly #sessions = new SessionTracker();

  constructor(settings: ModalSandboxSettings = {}) {
    checkModalSandboxSettings(settings);
    this.#settings = settings;
    this.capabilities = {
      isolation: 'container',
      network: settings.blockNetwork === false,
      nativePackages: true,
      subprocess: true,
      interrupt: true,
      threads: true,
      maxContextBytes: Math.floor(((settings.memoryMiB ?? DEFAULT_MODAL_MEMORY_MIB) * 1024 * 1024) / 4),
    };
  }

  /** Sessions created by this provider and not destroyed yet. */
  get liveSessions(): number {
    return this.#sessions.size;
  }

  /**
   * Creates a Modal sandbox, uploads and starts the runtime, and returns the session.
   *
   * @throws ConfigurationError no credentials (`MODAL_TOKEN_ID`/`MODAL_TOKEN_SECRET` unset, no
   *   `~/.modal.toml`, no `tokenId`/`tokenSecret`), or Modal rejected them.
   * @throws SandboxError the sandbox or the runtime could not be started (`code: 'startup-failed'`).
   * @throws RLMAbortError `options.abortSignal` fired; a sandbox created meanwhile is terminated.
   */
  async createSession(options: CreateSessionOptions): Promise<SandboxSessionV1> {
    const settings = this.#settings;
    const { abortSignal } = options;
    const params = settings.client === undefined ? await resolveModalClientParams(settings) : undefined;
    throwIfAborted(abortSignal, ABORTED);
    let client: ModalClientLike;
    try {
      client = settings.client ?? (await createDefaultModalClient(params ?? {}));
    } catch (error) {
      throw startupError(error, 'create a Modal client');
    }
    const closeClient = (): void => {
      if (client !== settings.client) client.close();
    };
    const sessionKey = randomUUID();
    const image = settings.image ?? DEFAULT_MODAL_IMAGE;
    const creation = (async (): Promise<ModalSandbox> => {
      const app = await client.apps.fromName(settings.app ?? DEFAULT_MODAL_APP, { createIfMissing: true });
      return client.sandboxes.create(app, typeof image === 'string' ? client.images.fromRegistry(image) : image, {
        cpu: settings.cpu ?? 1,
        memoryMiB: settings.memoryMiB ?? DEFAULT_MODAL_MEMORY_MIB,
        timeoutMs: settings.timeoutMs ?? DEFAULT_MODAL_TIMEOUT_MS,
        blockNetwork: settings.blockNetwork !== false,
        tags: { ...settings.tags, rlms: 'true', rlmsSession: sessionKey, rlmsCreatedAt: new Date().toISOString() },
      });
    })();
    const startup = { startupError, abortSignal, abortMessage: ABORTED };
    const sandbox = await startupStep(creation, {
      ...startup,
      step: 'create a Modal sandbox',
      onLate: (late) => void late.terminate().catch(noop).finally(closeClient),
      onFailure: () => {
        if (!abortSignal?.aborted) closeClient();
        // Aborted: a late success is freed by onLate; a late failure must still close the client.
        else creation.catch(closeClient);
      },
    });
    const pending = this.#sessions.begin();
    const launch = ModalRuntimeTransport.launch(sandbox, {
      directory: `/tmp/rlms/${sessionKey}`,
      python: settings.python ?? 'python3',
      onClose: () => {
        closeClient();
        pending.closed();
      },
    });
    const transport = await startupStep(launch, {
      ...startup,
      step: `start the rlms runtime in Modal sandbox ${sandbox.sandboxId}`,
      onLate: (late) => void late.close(),
      onFailure: async () => {
        await sandbox.terminate().catch(noop);
        if (!abortSignal?.aborted) closeClient();
      },
    });
    // On failure createFrameSession kills and closes the transport: the sandbox is terminated.
    return pending.start(SANDBOX_NAME, transport, options);
  }

  /** Destroys every session still alive (their sandboxes are terminated). Idempotent. */
  async close(): Promise<void> {
    await this.#sessions.destroyAll();
  }
}

/**
 * Creates the Modal sandbox provider: each session runs the rlms Python runtime in its own Modal
 * sandbox, with the network blocked by default, terminated when the session is destroyed. Does no
 * I/O: the SDK is loaded and credentials are checked when a session is created.
 *
 * @param settings see {@link ModalSandboxSettings}; all optional.
 * @throws ConfigurationError a setting has the wrong type or range.
 *
 * @example
 * ```ts
 * import { createModalSandbox } from '@rlms/sandbox-modal';
 * const sandbox = createModalSandbox({ memoryMiB: 4096 }); // MODAL_TOKEN_ID / MODAL_TOKEN_SECRET from the environment
 * ```
 */
export function createModalSandbox(settings: ModalSandboxSettings = {}): ModalSandboxProvider {
  return new ModalSandboxProvider(settings);
}
