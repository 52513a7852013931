import { createRequire } from 'node:module';
import { ConfigurationError, throwIfAborted, type CreateSessionOptions, type SandboxProviderV1, type SandboxSessionV1 } from '@rlms/core';

/** The package of the default sandbox (as in the `rlms` package): CPython in WebAssembly, no install. */
export const DEFAULT_SANDBOX_PACKAGE = '@rlms/sandbox-pyodide';

/** How the default sandbox's package is found and loaded. Replaceable in tests. */
export interface SandboxPackageLoader {
  /** Throws when the package is not installed where this adapter can import it. */
  readonly resolve: (specifier: string) => unknown;
  readonly load: (specifier: string) => Promise<unknown>;
}

const requireHere = createRequire(import.meta.url);

const nodeLoader: SandboxPackageLoader = {
  resolve: (specifier) => requireHere.resolve(specifier),
  // A variable specifier: the package is optional, bundlers must not try to inline it.
  load: (specifier) => import(specifier),
};

type PyodideFactory = () => SandboxProviderV1;

function howToPass(where: string): string {
  return (
    `pass one in the settings, e.g. ${where}: { settings: { sandbox: createLocalSandbox() } } ` +
    '(`npm install @rlms/sandbox-local`; host python3, not isolated) or createDockerSandbox() from @rlms/sandbox-docker'
  );
}

/**
 * The sandbox used when none is given: Pyodide (`@rlms/sandbox-pyodide`), loaded on the first
 * session, so creating an engine does no I/O. Its package must be installed next to this adapter.
 *
 * @throws ConfigurationError (`code: 'missing-sandbox'`) when `@rlms/sandbox-pyodide` is not installed,
 *   saying how to install it or which sandbox to pass instead.
 */
export function defaultSandbox(where: string, loader: SandboxPackageLoader = nodeLoader): SandboxProviderV1 {
  try {
    loader.resolve(DEFAULT_SANDBOX_PACKAGE);
  } catch (error) {
    throw new ConfigurationError(
      `${where}: no \`sandbox\` given, and the default sandbox package ${DEFAULT_SANDBOX_PACKAGE} is not installed. ` +
        `Install it (\`npm install ${DEFAULT_SANDBOX_PACKAGE}\`), or ${howToPass(where)}.`,
      { code: 'missing-sandbox', cause: error },
    );
  }
  let provider: Promise<SandboxProviderV1> | undefined;
  let loaded: SandboxProviderV1 | undefined;
  const load = (): Promise<SandboxProviderV1> => {
    provider ??= loader.load(DEFAULT_SANDBOX_PACKAGE).then((module) => {
      const factory = (module as { createPyodideSandbox?: PyodideFactory } | undefined)?.createPyodideSandbox;
      if (typeof factory !== 'function') {
        throw new ConfigurationError(`${where}: the installed ${DEFAULT_SANDBOX_PACKAGE} has no createPyodideSandbox export: update it, or ${howToPass(where)}.`, {
          code: 'missing-sandbox',
        });
      }
      loaded = factory();
      return loaded;
    });
    return provider;
  };
  return {
    specificationVersion: 'rlms-sandbox-v1',
    name: 'pyodide',
    capabilities: Object.freeze({ isolation: 'wasm', network: false, nativePackages: false, subprocess: false, interrupt: true, threads: false }),
    async createSession(options: CreateSessionOptions): Promise<SandboxSessionV1> {
      throwIfAborted(options?.abortSignal);
      return (await load()).createSession(options);
    },
    async close(): Promise<void> {
      await loaded?.close?.();
    },
  };
}
