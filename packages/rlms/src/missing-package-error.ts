import { ConfigurationError } from '@rlms/core';

/**
 * An optional package needed for the chosen model or sandbox is not installed. `packages` lists
 * what to install; the message gives the command.
 */
export class MissingPackageError extends ConfigurationError {
  /** npm package names to install. */
  readonly packages: readonly string[];

  constructor(what: string, packages: readonly string[], options: { cause?: unknown } = {}) {
    const list = packages.join(' ');
    super(`${what} needs ${packages.length === 1 ? 'the package' : 'the packages'} ${packages.join(' and ')}: install ${packages.length === 1 ? 'it' : 'them'} with \`npm install ${list}\`.`, {
      code: 'missing-package',
      cause: options.cause,
    });
    // `name` stays 'ConfigurationError' so `ConfigurationError.isInstance` keeps matching; tell them apart by `code`.
    this.packages = packages;
  }

  static override isInstance(error: unknown): error is MissingPackageError {
    return ConfigurationError.isInstance(error) && (error as { code?: unknown }).code === 'missing-package';
  }
}
