import { E2BSandboxProvider } from '../e2b-sandbox-provider.js';
import type { E2BSandboxSettings } from '../e2b-sandbox-settings.js';
import { createFakeE2BSandboxFactory, type FakeE2BSandboxFactory } from './fake-e2b-sandbox.js';

/** An {@link E2BSandboxProvider} over offline fakes, with the fake factory to inspect what it created. */
export interface FakeE2BSandboxProvider extends E2BSandboxProvider {
  /** The factory behind the provider: `fake.sandboxes` lists every sandbox created. */
  readonly fake: FakeE2BSandboxFactory;
}

/**
 * Creates the E2B sandbox provider wired to offline fake sandboxes: every session really runs the
 * rlms runtime with the local `python3` in a private temporary directory, through the package's
 * own adapter code, with no network and no API key. For tests of code that uses `@rlms/sandbox-e2b`.
 *
 * @example
 * ```ts
 * import { createFakeE2BSandboxProvider } from '@rlms/sandbox-e2b/testing';
 * const sandbox = createFakeE2BSandboxProvider();
 * // … createRLM({ model, sandbox }) …
 * await sandbox.close();
 * ```
 */
export function createFakeE2BSandboxProvider(settings: Omit<E2BSandboxSettings, 'sandbox'> = {}): FakeE2BSandboxProvider {
  const fake = createFakeE2BSandboxFactory();
  const provider = new E2BSandboxProvider({ ...settings, sandbox: fake.create });
  return Object.assign(provider, { fake });
}
