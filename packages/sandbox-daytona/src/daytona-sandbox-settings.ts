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
