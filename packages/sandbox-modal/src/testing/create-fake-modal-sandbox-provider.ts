import { ModalSandboxProvider } from '../modal-sandbox-provider.js';
import type { ModalSandboxSettings } from '../modal-sandbox-settings.js';
import { FakeModalClient } from './fake-modal-client.js';

/** A {@link ModalSandboxProvider} over the offline fake client, with the client to inspect what it created. */
export interface FakeModalSandboxProvider extends ModalSandboxProvider {
  /** The fake client behind the provider: `fake.createdSandboxes` lists every sandbox created. */
  readonly fake: FakeModalClient;
}

/**
 * Creates the Modal sandbox provider wired to an offline {@link FakeModalClient}: every session
 * really runs the rlms runtime with the local `python3` in a private temporary directory, through
 * the package's own adapter code, with no network and no token. For tests of code that uses
 * `@rlms/sandbox-modal`.
 *
 * @example
 * ```ts
 * import { createFakeModalSandboxProvider } from '@rlms/sandbox-modal/testing';
 * const sandbox = createFakeModalSandboxProvider();
 * // … createRLM({ model, sandbox }) …
 * await sandbox.close();
 * ```
 */
export function createFakeModalSandboxProvider(settings: Omit<ModalSandboxSettings, 'client'> = {}): FakeModalSandboxProvider {
  const fake = new FakeModalClient();
  const provider = new ModalSandboxProvider({ ...settings, client: fake });
  return Object.assign(provider, { fake });
}
