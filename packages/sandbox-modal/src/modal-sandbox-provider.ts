import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { ConfigurationError, RLMError, SandboxError, type CreateSessionOptions, type SandboxCapabilities, type SandboxProviderV1, type SandboxSessionV1 } from '@rlms/core/spec';
import { SessionTracker, raceAbort, throwIfAborted } from '@rlms/core/sandbox';
import type { ModalClientParams } from 'modal';
import { createDefaultModalClient, type ModalClientLike, type ModalSandbox } from './modal-client.js';
import { ModalRuntimeTransport } from './modal-runtime-transport.js';
import {
  DEFAULT_MODAL_APP,
  DEFAULT_MODAL_IMAGE,
  DEFAULT_MODAL_MEMORY_MIB,
  DEFAULT_MODAL_TIMEOUT_MS,
  type ModalSandboxSettings,
} from './modal-sandbox-settings.js';

const SANDBOX_NAME = 'modal';
/** gRPC status UNAUTHENTICATED / PERMISSION_DENIED. */
const AUTH_STATUS_CODES = new Set([16, 7]);
const ABORTED = 'Creating the Modal sandbox session was aborted.';

const noop = (): void => {};

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isAuthError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return (typeof code === 'number' && AUTH_STATUS_CODES.has(code)) || /credentials|unauthenticated|token/i.test(describe(error));
}

/** Turns an SDK failure while starting a session into an rlms error that says what to do. */
function startupError(error: unknown, step: string): Error {
  if (RLMError.isInstance(error)) return error;
  if (isAuthError(error)) {
    return new ConfigurationError(
      `Modal rejected the credentials (${describe(error)}). Check MODAL_TOKEN_ID and MODAL_TOKEN_SECRET (or \`modal token new\`), ` +
        'or the `tokenId`/`tokenSecret` settings of createModalSandbox.',
      { code: 'invalid-api-key', cause: error },
    );
  }
  return new SandboxError(`Could not ${step}: ${describe(error)}`, { sandbox: SANDBOX_NAME, code: 'startup-failed', cause: error });
}

async function profileFileExists(): Promise<boolean> {
  const configured = process.env['MODAL_CONFIG_PATH'];
  const path = configured !== undefined && configured !== '' ? configured : join(homedir(), '.modal.toml');
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Client parameters from the settings and the environment; throws when there are no credentials at all. */
async function clientParams(settings: ModalSandboxSettings): Promise<ModalClientParams> {
  const tokenId = settings.tokenId ?? process.env['MODAL_TOKEN_ID'];
  const tokenSecret = settings.tokenSecret ?? process.env['MODAL_TOKEN_SECRET'];
  const environment = settings.environment === undefined ? {} : { environment: settings.environment };
  if (tokenId && tokenSecret) return { tokenId, tokenSecret, ...environment };
  if (!tokenId && !tokenSecret && (await profileFileExists())) return environment; // the SDK reads the profile
  const missing = [tokenId ? undefined : 'MODAL_TOKEN_ID', tokenSecret ? undefined : 'MODAL_TOKEN_SECRET'].filter(Boolean);
  throw new ConfigurationError(
    `No Modal credentials: set the ${missing.join(' and ')} environment variable${missing.length > 1 ? 's' : ''} ` +
      '(create a token at https://modal.com/settings/tokens or with `modal token new`), ' +
      'or pass createModalSandbox({ tokenId, tokenSecret }).',
    { code: 'missing-api-key' },
  );
}

function validate(settings: ModalSandboxSettings): void {
  const fail = (message: string): never => {
    throw new ConfigurationError(`createModalSandbox: ${message}`);
  };
  if (typeof settings !== 'object' || settings === null) fail('settings must be an object.');
  const { app, image, cpu, memoryMiB, timeoutMs, blockNetwork, tags, python, client, tokenId, tokenSecret } = settings;
  const nonEmpty = (name: string, value: unknown): void => {
    if (value !== undefined && (typeof value !== 'string' || value === '')) fail(`\`${name}\` must be a non-empty string.`);
  };
  nonEmpty('app', app);
  nonEmpty('python', python);
  nonEmpty('tokenId', tokenId);
  nonEmpty('tokenSecret', tokenSecret);
  if (image !== undefined && !(typeof image === 'string' ? image !== '' : typeof image?.imageId === 'string')) {
    fail('`image` must be a registry tag such as "python:3.12-slim" or an Image from your ModalClient.');
  }
  if (cpu !== undefined && !(typeof cpu === 'number' && cpu > 0 && Number.isFinite(cpu))) fail(`\`cpu\` must be a positive number, got ${String(cpu)}.`);
  if (memoryMiB !== undefined && !(Number.isSafeInteger(memoryMiB) && memoryMiB > 0)) {
    fail(`\`memoryMiB\` must be a positive integer (MiB), got ${String(memoryMiB)}.`);
  }
  if (timeoutMs !== undefined && !(Number.isSafeInteger(timeoutMs) && timeoutMs > 0)) {
    fail(`\`timeoutMs\` must be a positive integer (milliseconds), got ${String(timeoutMs)}.`);
  }
  if (blockNetwork !== undefined && typeof blockNetwork !== 'boolean') fail('`blockNetwork` must be a boolean.');
  if (tags !== undefined) {
    if (typeof tags !== 'object' || tags === null) fail('`tags` must be an object of strings.');
    for (const [key, value] of Object.entries(tags)) if (typeof value !== 'string') fail(`\`tags.${key}\` must be a string.`);
  }
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.sandboxes?.create !== 'function')) {
    fail('`client` must be a ModalClient from the `modal` package (or the fake from @rlms/sandbox-modal/testing).');
  }
}

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
    validate(settings);
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
    const params = settings.client === undefined ? await clientParams(settings) : undefined;
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
    const sandbox = await raceAbort(creation, abortSignal, {
      message: ABORTED,
      onLate: (late) => void late.terminate().catch(noop).finally(closeClient),
    }).catch((error: unknown) => {
      if (!abortSignal?.aborted) closeClient();
      // Aborted: a late success is freed by onLate; a late failure must still close the client.
      else creation.catch(closeClient);
      throw startupError(error, 'create a Modal sandbox');
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
    const transport = await raceAbort(launch, abortSignal, { message: ABORTED, onLate: (late) => void late.close() }).catch(
      async (error: unknown) => {
        await sandbox.terminate().catch(noop);
        if (!abortSignal?.aborted) closeClient();
        throw startupError(error, `start the rlms runtime in Modal sandbox ${sandbox.sandboxId}`);
      },
    );
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
