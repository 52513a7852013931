import { MissingPackageError } from './missing-package-error.js';

/** Loads a module by specifier. Replaceable in tests; the default is the platform's `import()`. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

/** The platform's dynamic `import()`, resolving from this package's location. */
export const defaultImporter: ModuleImporter = (specifier) => import(specifier);

/** True when `error` says that `specifier` itself (not one of its own imports) cannot be found. */
export function isModuleNotFound(error: unknown, specifier: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (typeof message !== 'string') return false;
  const names = [`'${specifier}'`, `"${specifier}"`, ` ${specifier} `, ` ${specifier}\n`];
  const namesIt = names.some((name) => message.includes(name)) || message.endsWith(` ${specifier}`);
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return namesIt;
  // Bundlers and test runners word it their own way.
  return namesIt && /cannot find (package|module)|failed to (load|resolve)/i.test(message);
}

/**
 * Imports an optional package and picks one export from it. Throws `MissingPackageError`
 * (naming `installPackages`) when the package is not installed, and a `ConfigurationError`-like
 * `MissingPackageError` too when it is installed but lacks the export (an incompatible version).
 */
export async function importOptional<T>(options: {
  /** The module to import, e.g. `'@rlms/sandbox-docker'`. */
  readonly specifier: string;
  /** The export to return, e.g. `'createDockerSandbox'`. */
  readonly exportName: string;
  /** What needs it, for the message: `'The sandbox "docker"'`. */
  readonly purpose: string;
  /** Packages to tell the user to install. Default: `[specifier]`. */
  readonly installPackages?: readonly string[];
  readonly importer?: ModuleImporter;
}): Promise<T> {
  const importer = options.importer ?? defaultImporter;
  let module: unknown;
  try {
    module = await importer(options.specifier);
  } catch (error) {
    if (isModuleNotFound(error, options.specifier)) {
      throw new MissingPackageError(options.purpose, options.installPackages ?? [options.specifier], { cause: error });
    }
    throw error;
  }
  const value = (module as Record<string, unknown> | undefined)?.[options.exportName];
  if (value === undefined) {
    throw new MissingPackageError(
      `${options.purpose} (it expects \`${options.exportName}\` from ${options.specifier}, which the installed version lacks)`,
      [`${options.specifier}@latest`],
    );
  }
  return value as T;
}
