import { ConfigurationError } from '../errors/index.js';

/**
 * The checks a sandbox factory runs on its settings, bound to the factory's name so that every
 * message reads the same: ``createModalSandbox: invalid `memoryMiB` (0); expected a positive
 * integer (MiB).`` Each check passes `undefined` (the setting was left out) and throws a
 * `ConfigurationError` with `code: 'invalid-setting'` otherwise.
 */
export interface SettingsChecks {
  /** The error for `setting`: its value (hidden when `secret`) and what it accepts. */
  error(setting: string, value: unknown, expected: string, options?: { readonly secret?: boolean }): ConfigurationError;
  /** Throws {@link SettingsChecks.error}. */
  fail(setting: string, value: unknown, expected: string, options?: { readonly secret?: boolean }): never;
  /** `settings` itself must be a plain object. */
  object(settings: unknown): void;
  /** A non-empty string; `secret` keeps the value out of the message (API keys, tokens). */
  nonEmptyString(setting: string, value: unknown, expected?: string, options?: { readonly secret?: boolean }): void;
  /** A safe integer > 0; `unit` names what it counts (`'milliseconds'`, `'MiB'`). */
  positiveInteger(setting: string, value: unknown, unit?: string): void;
  /** A finite number > 0. */
  positiveNumber(setting: string, value: unknown): void;
  boolean(setting: string, value: unknown): void;
  /** An object whose every value is a string (labels, tags, metadata, env). */
  stringRecord(setting: string, value: unknown): void;
}

/** `a string`, `an object`… : what a value is, without showing it. */
function kind(value: unknown): string {
  const type = value === null ? 'null' : typeof value;
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** What a rejected value looks like in a message. */
function show(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return typeof value;
  }
}

/**
 * The {@link SettingsChecks} of one factory (`'createE2BSandbox'`…).
 *
 * @example
 * const check = settingsChecks('createModalSandbox');
 * check.object(settings);
 * check.positiveInteger('memoryMiB', settings.memoryMiB, 'MiB');
 */
export function settingsChecks(factory: string): SettingsChecks {
  const error = (setting: string, value: unknown, expected: string, options: { readonly secret?: boolean } = {}): ConfigurationError => {
    const shown = options.secret === true ? kind(value) : show(value);
    return new ConfigurationError(`${factory}: invalid \`${setting}\` (${shown}); expected ${expected}.`, { code: 'invalid-setting' });
  };
  const fail = (setting: string, value: unknown, expected: string, options: { readonly secret?: boolean } = {}): never => {
    throw error(setting, value, expected, options);
  };
  return {
    error,
    fail,
    object(settings) {
      if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) fail('settings', settings, 'an object of settings');
    },
    nonEmptyString(setting, value, expected = 'a non-empty string', options = {}) {
      if (value !== undefined && (typeof value !== 'string' || value === '')) fail(setting, value, expected, options);
    },
    positiveInteger(setting, value, unit) {
      if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) > 0)) {
        fail(setting, value, unit === undefined ? 'a positive integer' : `a positive integer (${unit})`);
      }
    },
    positiveNumber(setting, value) {
      if (value !== undefined && !(typeof value === 'number' && value > 0 && Number.isFinite(value))) fail(setting, value, 'a positive number');
    },
    boolean(setting, value) {
      if (value !== undefined && typeof value !== 'boolean') fail(setting, value, 'true or false');
    },
    stringRecord(setting, value) {
      if (value === undefined) return;
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(setting, value, 'an object of strings');
      for (const [key, item] of Object.entries(value as object)) {
        // Values stay out of the message: env and labels may hold secrets.
        if (typeof item !== 'string') fail(`${setting}.${key}`, item, 'a string', { secret: true });
      }
    },
  };
}
