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
