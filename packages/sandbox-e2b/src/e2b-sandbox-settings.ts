import { ConfigurationError } from '@rlms/core/spec';
import { settingsChecks } from '@rlms/core/sandbox';
import type { E2BSandboxFactory, E2BSandboxInstance } from './e2b-client.js';

/** Settings of {@link createE2BSandbox}. Every field is optional. */
export interface E2BSandboxSettings {
  /**
   * E2B API key. Default: the `E2B_API_KEY` environment variable, read when a session is created.
   * Not needed when {@link sandbox} is given. Never passed into the sandbox.
   */
  readonly apiKey?: string;
  /** Sandbox template name or id; it must have `python3` (>= 3.10). Default `'base'`. */
  readonly template?: string;
  /**
   * Lifetime of each sandbox in milliseconds: E2B kills it when this elapses even if `destroy()`
   * was never called (the backstop against leaks). The plan's maximum applies (1 hour on Hobby,
   * 24 hours on Pro). Default 900 000 (15 minutes).
   */
  readonly timeoutMs?: number;
  /** Let model code reach the internet. Default `false` (all outbound traffic denied). */
  readonly allowInternetAccess?: boolean;
  /**
   * Extra metadata on every sandbox (shown by `e2b sandbox list`, filterable with `Sandbox.list`).
   * rlms always adds `rlms: 'true'`, `rlmsSession` and `rlmsCreatedAt`.
   */
  readonly metadata?: Readonly<Record<string, string>>;
  /** Python executable inside the sandbox. Default `'python3'`. */
  readonly python?: string;
  /**
   * Where sandboxes come from:
   * - a factory `(options) => Promise<sandbox>`: called once per session with the E2B
   *   `SandboxOpts` built from these settings; each sandbox is killed when its session ends;
   * - a sandbox instance you created (`await Sandbox.create()`): every session runs its own
   *   runtime process in it, and the sandbox is left running (you own it; kill it yourself).
   * Default: `Sandbox.create(options)` from `e2b`.
   */
  readonly sandbox?: E2BSandboxInstance | E2BSandboxFactory;
}

/** Default sandbox lifetime: 15 minutes. */
export const DEFAULT_E2B_TIMEOUT_MS = 900_000;
/** Default template. */
export const DEFAULT_E2B_TEMPLATE = 'base';

/** The environment variable holding the API key. */
export const E2B_API_KEY_VARIABLE = 'E2B_API_KEY';

/**
 * Checks every setting (no I/O).
 * @throws ConfigurationError naming the bad setting and what it accepts (`code: 'invalid-setting'`).
 */
export function checkE2BSandboxSettings(settings: E2BSandboxSettings): void {
  const check = settingsChecks('createE2BSandbox');
  check.object(settings);
  const { apiKey, template, timeoutMs, python, metadata, sandbox, allowInternetAccess } = settings;
  check.nonEmptyString('apiKey', apiKey, 'a non-empty API key', { secret: true });
  check.nonEmptyString('template', template, 'a template name or id');
  check.nonEmptyString('python', python, 'an executable name such as "python3"');
  check.positiveInteger('timeoutMs', timeoutMs, 'milliseconds');
  check.boolean('allowInternetAccess', allowInternetAccess);
  check.stringRecord('metadata', metadata);
  if (sandbox !== undefined && typeof sandbox !== 'function') {
    const instance = sandbox as Partial<E2BSandboxInstance> | null;
    if (typeof instance !== 'object' || instance === null || typeof instance.commands?.run !== 'function' || typeof instance.files?.write !== 'function') {
      check.fail('sandbox', typeof sandbox, 'an e2b Sandbox (from `await Sandbox.create()`) or a factory `(options) => Promise<Sandbox>`');
    }
  }
}

/**
 * The API key: the `apiKey` setting, else `E2B_API_KEY`; undefined when a sandbox instance or
 * factory is injected and no key is set (the injected code brings its own).
 * @throws ConfigurationError `code: 'missing-api-key'` when neither is set and E2B must be called.
 */
export function resolveE2BApiKey(settings: E2BSandboxSettings): string | undefined {
  const apiKey = settings.apiKey ?? process.env[E2B_API_KEY_VARIABLE];
  if (apiKey !== undefined && apiKey !== '') return apiKey;
  if (settings.sandbox !== undefined) return undefined;
  throw new ConfigurationError(
    `No E2B API key: set the ${E2B_API_KEY_VARIABLE} environment variable or pass createE2BSandbox({ apiKey }). Get a key at https://e2b.dev/dashboard.`,
    { code: 'missing-api-key' },
  );
}
