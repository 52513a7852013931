import { settingsChecks } from '@rlms/core/sandbox';

/** Settings of {@link createLocalSandbox}. */
export interface LocalSandboxSettings {
  /**
   * Python interpreter to run (≥ 3.10), a path or a command looked up on `PATH`.
   * Default: the `RLMS_PYTHON` environment variable, else `'python3'`.
   */
  readonly pythonPath?: string;
  /**
   * Extra environment variables for the Python process, added to the minimal environment
   * (`PATH`, `HOME`, `TMPDIR`, `LANG`, `PYTHONUNBUFFERED`, `PYTHONIOENCODING`). Default none.
   * Nothing else from `process.env` reaches Python: pass what code really needs, never API keys.
   */
  readonly env?: Readonly<Record<string, string>>;
  /** Working directory of the Python process. Default: the session's fresh private temp dir (removed on `destroy()`). */
  readonly cwd?: string;
  /** How long Python gets to start and report ready, in ms. Default 20 000. */
  readonly startupTimeoutMs?: number;
  /** After a timeout or abort interrupts a cell, how long it gets to stop before the process group is killed, in ms. Default 2 000. */
  readonly interruptGraceMs?: number;
}

/** {@link LocalSandboxSettings} with every default applied. */
export interface ResolvedLocalSandboxSettings {
  readonly pythonPath: string;
  readonly env: Readonly<Record<string, string>>;
  readonly cwd: string | undefined;
  readonly startupTimeoutMs: number;
  readonly interruptGraceMs: number;
}

/** The environment variable naming the default interpreter. */
export const PYTHON_PATH_VARIABLE = 'RLMS_PYTHON';
export const DEFAULT_LOCAL_STARTUP_TIMEOUT_MS = 20_000;
export const DEFAULT_LOCAL_INTERRUPT_GRACE_MS = 2_000;

/**
 * Checks every setting and applies the defaults (`pythonPath` from `RLMS_PYTHON`, else `python3`).
 * @throws ConfigurationError naming the bad setting and what it accepts (`code: 'invalid-setting'`).
 */
export function resolveLocalSandboxSettings(settings: LocalSandboxSettings): ResolvedLocalSandboxSettings {
  const check = settingsChecks('createLocalSandbox');
  check.object(settings);
  check.nonEmptyString('pythonPath', settings.pythonPath, 'a non-empty interpreter path or command such as "python3"');
  check.nonEmptyString('cwd', settings.cwd, 'a non-empty path');
  check.stringRecord('env', settings.env);
  check.positiveInteger('startupTimeoutMs', settings.startupTimeoutMs, 'milliseconds');
  check.positiveInteger('interruptGraceMs', settings.interruptGraceMs, 'milliseconds');
  const fromEnv = process.env[PYTHON_PATH_VARIABLE];
  return {
    pythonPath: settings.pythonPath ?? (fromEnv !== undefined && fromEnv !== '' ? fromEnv : 'python3'),
    env: settings.env ?? {},
    cwd: settings.cwd,
    startupTimeoutMs: settings.startupTimeoutMs ?? DEFAULT_LOCAL_STARTUP_TIMEOUT_MS,
    interruptGraceMs: settings.interruptGraceMs ?? DEFAULT_LOCAL_INTERRUPT_GRACE_MS,
  };
}
