import { access } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError } from '@rlms/core/spec';
import { settingsChecks } from '@rlms/core/sandbox';
import type { ModalClientParams } from 'modal';
import type { ModalClientLike, ModalImage } from './modal-client.js';

/** Settings of {@link createModalSandbox}. Every field is optional. */
export interface ModalSandboxSettings {
  /** Name of the Modal App the sandboxes run in (created when missing). Default `'rlms'`. */
  readonly app?: string;
  /**
   * Container image: a registry tag (`'python:3.12-slim'`) or an image from your client
   * (`client.images.fromRegistry(…)` with extra layers). It needs `python3` (>= 3.10) and `sh`.
   * Default `'python:3.13-slim'`.
   */
  readonly image?: string | ModalImage;
  /** CPU cores reserved per sandbox (fractional allowed). Default 1. */
  readonly cpu?: number;
  /**
   * Memory reserved per sandbox, in MiB. A context needs about 4× its size at peak (upload,
   * bytes, decoded `str`), so raise this for contexts over a quarter of it. Default 1024.
   */
  readonly memoryMiB?: number;
  /**
   * Maximum lifetime of each sandbox in milliseconds: Modal terminates it when this elapses even
   * if `destroy()` was never called (the backstop against leaks; Modal allows up to 24 hours).
   * Default 900 000 (15 minutes).
   */
  readonly timeoutMs?: number;
  /** Block all network access from model code. Default `true`. */
  readonly blockNetwork?: boolean;
  /**
   * Extra tags on every sandbox (filterable with `client.sandboxes.list({ tags })`). rlms always
   * adds `rlms: 'true'`, `rlmsSession` and `rlmsCreatedAt`.
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Modal token id. Default: the `MODAL_TOKEN_ID` environment variable, else the active profile
   * of `~/.modal.toml` (written by `modal token new`). Not needed with {@link client}. Never
   * passed into the sandbox.
   */
  readonly tokenId?: string;
  /** Modal token secret. Default: `MODAL_TOKEN_SECRET`, else `~/.modal.toml`. */
  readonly tokenSecret?: string;
  /** Modal environment. Default: `MODAL_ENVIRONMENT` or the profile's. */
  readonly environment?: string;
  /** Python executable inside the sandbox. Default `'python3'`. */
  readonly python?: string;
  /**
   * A `ModalClient` you created (`new ModalClient({ … })`), or the offline fake from
   * `@rlms/sandbox-modal/testing`. It is not closed by rlms. Default: a client per session,
   * built from the credentials above and closed with the session.
   */
  readonly client?: ModalClientLike;
}

/** Default sandbox lifetime: 15 minutes. */
export const DEFAULT_MODAL_TIMEOUT_MS = 900_000;
/** Default image tag. */
export const DEFAULT_MODAL_IMAGE = 'python:3.13-slim';
/** Default memory reservation, MiB. */
export const DEFAULT_MODAL_MEMORY_MIB = 1024;
/** Default App name. */
export const DEFAULT_MODAL_APP = 'rlms';

/**
 * Checks every setting (no I/O).
 * @throws ConfigurationError naming the bad setting and what it accepts (`code: 'invalid-setting'`).
 */
export function checkModalSandboxSettings(settings: ModalSandboxSettings): void {
  const check = settingsChecks('createModalSandbox');
  check.object(settings);
  const { app, image, cpu, memoryMiB, timeoutMs, blockNetwork, tags, python, client, tokenId, tokenSecret } = settings;
  check.nonEmptyString('app', app);
  check.nonEmptyString('python', python);
  check.nonEmptyString('tokenId', tokenId, 'a non-empty token id', { secret: true });
  check.nonEmptyString('tokenSecret', tokenSecret, 'a non-empty token secret', { secret: true });
  if (image !== undefined && !(typeof image === 'string' ? image !== '' : typeof image?.imageId === 'string')) {
    check.fail('image', image, 'a registry tag such as "python:3.12-slim" or an Image from your ModalClient');
  }
  check.positiveNumber('cpu', cpu);
  check.positiveInteger('memoryMiB', memoryMiB, 'MiB');
  check.positiveInteger('timeoutMs', timeoutMs, 'milliseconds');
  check.boolean('blockNetwork', blockNetwork);
  check.stringRecord('tags', tags);
  if (client !== undefined && (typeof client !== 'object' || client === null || typeof client.sandboxes?.create !== 'function')) {
    check.fail('client', typeof client, 'a ModalClient from the `modal` package (or the fake from @rlms/sandbox-modal/testing)');
  }
}

async function profileFileExists(): Promise<boolean> {
  const configured = process.env['MODAL_CONFIG_PATH'];
  const path = configured !== undefined && configured !== '' ? configured : join(homedir(), '.modal.toml');
  return access(path).then(
    () => true,
    () => false,
  );
}

/**
 * Client parameters from the settings and the environment (`MODAL_TOKEN_ID`, `MODAL_TOKEN_SECRET`,
 * else the `~/.modal.toml` profile, which the SDK reads itself).
 * @throws ConfigurationError `code: 'missing-api-key'` when there are no credentials at all.
 */
export async function resolveModalClientParams(settings: ModalSandboxSettings): Promise<ModalClientParams> {
  const tokenId = settings.tokenId ?? process.env['MODAL_TOKEN_ID'];
  const tokenSecret = settings.tokenSecret ?? process.env['MODAL_TOKEN_SECRET'];
  const environment = settings.environment === undefined ? {} : { environment: settings.environment };
  if (tokenId && tokenSecret) return { tokenId, tokenSecret, ...environment };
  if (!tokenId && !tokenSecret && (await profileFileExists())) return environment; // the SDK reads the profile
  const missing = [tokenId ? undefined : 'MODAL_TOKEN_ID', tokenSecret ? undefined : 'MODAL_TOKEN_SECRET'].filter(Boolean);
  throw new ConfigurationError(
    `No Modal credentials: set the ${missing.join(' and ')} environment variable${missing.length > 1 ? 's' : ''} ` +
      '(create a token at https://modal.com/settings/tokens or with `modal token new`), ' +
      'or pass createModalSandbox({ tokenId, tokenSecret }).',
    { code: 'missing-api-key' },
  );
}
