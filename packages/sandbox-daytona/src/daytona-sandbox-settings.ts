import { ConfigurationError } from '@rlms/core/spec';
import { settingsChecks } from '@rlms/core/sandbox';
import type { DaytonaConfig } from '@daytonaio/sdk';
import type { DaytonaClientLike } from './daytona-client.js';

/** Settings of {@link createDaytonaSandbox}. Every field is optional. */
export interface DaytonaSandboxSettings {
  /**
   * Daytona API key. Default: the `DAYTONA_API_KEY` environment variable, read when a session is
   * created (or `DAYTONA_JWT_TOKEN` + `DAYTONA_ORGANIZATION_ID`). Not needed with {@link client}.
   * Never passed into the sandbox.
   */
  readonly apiKey?: string;
  /** Daytona API URL. Default: `DAYTONA_API_URL`, else Daytona's cloud. */
  readonly apiUrl?: string;
  /** Target region (`'us'`, `'eu'`…). Default: `DAYTONA_TARGET`, else the organization's default. */
  readonly target?: string;
  /**
   * Snapshot to create sandboxes from. Default: Daytona's default snapshot (Python included).
   * Mutually exclusive with {@link image}.
   */
  readonly snapshot?: string;
  /**
   * Container image to build sandboxes from instead of a snapshot (e.g. `'python:3.12-slim'`;
   * it needs `python3` >= 3.10 and `sh`). Building it the first time takes a while.
   */
  readonly image?: string;
  /** vCPUs per sandbox; only with {@link image} (a snapshot fixes its own size). */
  readonly cpu?: number;
  /**
   * Memory per sandbox in GiB; only with {@link image}. A context needs about 4× its size at peak.
   * Daytona's default sandbox has 1 GiB.
   */
  readonly memoryGiB?: number;
  /**
   * Lifetime of each sandbox in milliseconds, rounded up to whole minutes: Daytona destroys the
   * sandbox when it elapses even if `destroy()` was never called (the backstop against leaks), and
   * sandboxes are ephemeral (deleted as soon as they stop). Default 900 000 (15 minutes).
   */
  readonly timeoutMs?: number;
  /** Block all network access from model code. Default `true`. */
  readonly networkBlockAll?: boolean;
  /**
   * Extra labels on every sandbox (filterable with `daytona.list({ labels })`). rlms always adds
   * `rlms: 'true'`, `rlmsSession` and `rlmsCreatedAt`.
   */
  readonly labels?: Readonly<Record<string, string>>;
  /** Python executable inside the sandbox. Default `'python3'`. */
  readonly python?: string;
  /**
   * A `Daytona` client you created (`new Daytona({ … })`), or the offline fake from
   * `@rlms/sandbox-daytona/testing`. Default: one built from the settings above.
   */
  readonly client?: DaytonaClientLike;
}

/** Default sandbox lifetime: 15 minutes. */
export const DEFAULT_DAYTONA_TIMEOUT_MS = 900_000;

/** The environment variable holding the API key. */
export const DAYTONA_API_KEY_VARIABLE = 'DAYTONA_API_KEY';

/**
 * Checks every setting (no I/O).
 * @throws ConfigurationError naming the bad setting and what it accepts (`code: 'invalid-setting'`).
 */
export function checkDaytonaSandboxSettings(settings: DaytonaSandboxSettings): void {
  const check = settingsChecks('createDaytonaSandbox');
  check.object(settings);
  const { apiKey, apiUrl, target, snapshot, image, cpu, memoryGiB, timeoutMs, networkBlockAll, labels, python, client } = settings;
  check.nonEmptyString('apiKey', apiKey, 'a non-empty API key', { secret: true });
  for (const [name, value] of Object.entries({ apiUrl, target, snapshot, image, python })) check.nonEmptyString(name, value);
  if (snapshot !== undefined && image !== undefined) check.fail('snapshot', snapshot, 'either `snapshot` or `image`, not both');
  if ((cpu !== undefined || memoryGiB !== undefined) && image === undefined) {
    check.fail(cpu === undefined ? 'memoryGiB' : 'cpu', cpu ?? memoryGiB, '`cpu` and `memoryGiB` only with `image` (they need `image`: a snapshot fixes the size of its sandboxes)');
  }
  check.positiveInteger('cpu', cpu);
  check.positiveInteger('memoryGiB', memoryGiB, 'GiB');
  check.positiveInteger('timeoutMs', timeoutMs, 'milliseconds');
  check.boolean('networkBlockAll', networkBlockAll);
  check.stringRecord('labels', labels);
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.create !== 'function')) {
    check.fail('client', typeof client, 'a Daytona client from `@daytonaio/sdk` (or the fake from @rlms/sandbox-daytona/testing)');
  }
}

/**
 * The SDK client configuration: `apiKey` (else `DAYTONA_API_KEY`; or the SDK's own
 * `DAYTONA_JWT_TOKEN` + `DAYTONA_ORGANIZATION_ID`), `apiUrl` and `target`.
 * @throws ConfigurationError `code: 'missing-api-key'` when there are no credentials at all.
 */
export function resolveDaytonaClientConfig(settings: DaytonaSandboxSettings): DaytonaConfig {
  const apiKey = settings.apiKey ?? process.env[DAYTONA_API_KEY_VARIABLE];
  const jwt = process.env['DAYTONA_JWT_TOKEN'] && process.env['DAYTONA_ORGANIZATION_ID'];
  if (!apiKey && !jwt) {
    throw new ConfigurationError(
      `No Daytona API key: set the ${DAYTONA_API_KEY_VARIABLE} environment variable or pass createDaytonaSandbox({ apiKey }). ` +
        'Create a key at https://app.daytona.io/dashboard/keys.',
      { code: 'missing-api-key' },
    );
  }
  return {
    ...(apiKey ? { apiKey } : {}),
    ...(settings.apiUrl === undefined ? {} : { apiUrl: settings.apiUrl }),
    ...(settings.target === undefined ? {} : { target: settings.target }),
  };
}
