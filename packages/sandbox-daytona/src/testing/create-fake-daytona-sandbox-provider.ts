import { DaytonaSandboxProvider } from '../daytona-sandbox-provider.js';
import type { DaytonaSandboxSettings } from '../daytona-sandbox-settings.js';
import { FakeDaytonaClient } from './fake-daytona-client.js';

/** A {@link DaytonaSandboxProvider} over the offline fake client, with the client to inspect what it created. */
export interface FakeDaytonaSandboxProvider extends DaytonaSandboxProvider {
  /** The fake client behind the provider: `fake.createdSandboxes` lists every sandbox created. */
  readonly fake: FakeDaytonaClient;
}

/**
 * Creates the Daytona sandbox provider wired to an offline {@link FakeDaytonaClient}: every
 * session really runs the rlms runtime with the local `python3` in a private temporary directory,
 * through the package's own adapter code, with no network and no API key. For tests of code that
 * uses `@rlms/sandbox-daytona`.
 *
 * @example
 * ```ts
 * import { createFakeDaytonaSandboxProvider } from '@rlms/sandbox-daytona/testing';
 * const sandbox = createFakeDaytonaSandboxProvider();
 * // … createRLM({ model, sandbox }) …
 * await sandbox.close();
 * ```
 */
export function createFakeDaytonaSandboxProvider(
  settings: Omit<DaytonaSandboxSettings, 'client'> = {},
): FakeDaytonaSandboxProvider {
  const fake = new FakeDaytonaClient();
  const provider = new DaytonaSandboxProvider({ ...settings, client: fake });
  return Object.assign(provider, { fake });
}
