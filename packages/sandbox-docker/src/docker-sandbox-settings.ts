import type Dockerode from 'dockerode';
import { settingsChecks } from '@rlms/core/sandbox';

/** The error for a bad setting: ``createDockerSandbox: invalid `x` (value); expected …``. */
const invalid = settingsChecks('createDockerSandbox').error;

/** Settings of {@link createDockerSandbox}. Every field is optional. */
export interface DockerSandboxSettings {
  /**
   * Image the containers run. Any image with `python3` >= 3.10 and its standard library works
   * (Debian/Ubuntu-based `python:*-slim`, a `docker import`ed debootstrap root filesystem…).
   * Default `'python:3.12-slim'`.
   */
  readonly image?: string;
  /** Dockerode client. Default `new Dockerode()` (honours `DOCKER_HOST`, `DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`). */
  readonly docker?: Dockerode;
  /** Memory limit of each container in MiB (no swap on top). Default 1024. */
  readonly memoryMiB?: number;
  /** CPU limit of each container in CPUs (fractions allowed, e.g. 0.5). Default 1. */
  readonly cpus?: number;
  /** Maximum number of processes/threads in each container (stops fork bombs). Default 256. */
  readonly pidsLimit?: number;
  /** Network of the containers. Only `'none'` is supported: the host is reached over the exec stream. Default `'none'`. */
  readonly network?: 'none';
  /** Python interpreter inside the image (name on `PATH` or absolute path). Default `'python3'`. */
  readonly pythonPath?: string;
  /**
   * Numeric `uid` or `uid:gid` the model code runs as, or `'root'`. Default `'65534:65534'`
   * (nobody), so code cannot change the image's system files.
   */
  readonly user?: string;
  /** Extra container labels (the `dev.rlms.*` labels are always set). */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * What to do when the image is not on the engine: `'missing'` pulls it once, `'never'` fails
   * with `DockerImageNotFoundError`. Default `'missing'`.
   */
  readonly pull?: 'missing' | 'never';
  /**
   * Keep containers of destroyed sessions and hand them to the next session instead of creating
   * a new one (faster start). The runtime process is restarted and its work directory emptied, but
   * files model code wrote elsewhere in the container survive: use only when all sessions of this
   * provider belong to the same user. `true` keeps up to 4 idle containers. Default `false`.
   */
  readonly reuse?: boolean | { readonly maxIdle?: number };
  /**
   * Milliseconds to wait, after an interrupt (timeout or abort), for the code to stop before the
   * runtime is killed and the session reported dead. Default 2000.
   */
  readonly interruptGraceMs?: number;
  /** Milliseconds allowed for container start plus runtime start-up. Default 60 000. */
  readonly startTimeoutMs?: number;
  /**
   * Before its first session, remove the sandbox containers whose owner process is gone from this
   * machine (left behind by a host that was SIGKILLed or OOM-killed), as
   * `cleanupStaleContainers()` does. Containers of live processes and of other machines are never
   * touched. Default `true`.
   */
  readonly reapStaleContainers?: boolean;
}

/** Settings with their defaults applied and validated. */
export interface ResolvedDockerSandboxSettings {
  readonly image: string;
  readonly memoryMiB: number;
  readonly cpus: number;
  readonly pidsLimit: number;
  readonly pythonPath: string;
  readonly user: { readonly spec: string; readonly uid: number; readonly gid: number };
  readonly labels: Readonly<Record<string, string>>;
  readonly pull: 'missing' | 'never';
  readonly maxIdle: number;
  readonly interruptGraceMs: number;
  readonly startTimeoutMs: number;
  readonly reapStaleContainers: boolean;
}

/** Default image when `image` is not set. */
export const DEFAULT_DOCKER_IMAGE = 'python:3.12-slim';

/**
 * Applies defaults and checks every setting.
 * @throws {ConfigurationError} naming the bad setting and what it accepts.
 */
export function resolveDockerSandboxSettings(settings: DockerSandboxSettings): ResolvedDockerSandboxSettings {
  const image = settings.image ?? DEFAULT_DOCKER_IMAGE;
  if (typeof image !== 'string' || image.trim() === '') {
    throw invalid('image', image, 'a non-empty image reference such as "python:3.12-slim"');
  }
  const memoryMiB = settings.memoryMiB ?? 1024;
  if (!Number.isFinite(memoryMiB) || memoryMiB < 16) throw invalid('memoryMiB', memoryMiB, 'a number of MiB >= 16');
  const cpus = settings.cpus ?? 1;
  if (!Number.isFinite(cpus) || cpus <= 0) throw invalid('cpus', cpus, 'a positive number of CPUs, e.g. 0.5 or 2');
  const pidsLimit = settings.pidsLimit ?? 256;
  if (!Number.isInteger(pidsLimit) || pidsLimit < 8) throw invalid('pidsLimit', pidsLimit, 'an integer >= 8');
  if (settings.network !== undefined && settings.network !== 'none') {
    throw invalid('network', settings.network, '"none" (sessions reach the host over the exec stream, never the network)');
  }
  const pythonPath = settings.pythonPath ?? 'python3';
  if (typeof pythonPath !== 'string' || pythonPath.trim() === '') {
    throw invalid('pythonPath', pythonPath, 'the interpreter name or absolute path inside the image, e.g. "python3"');
  }
  const user = parseUser(settings.user ?? '65534:65534');
  const labels = settings.labels ?? {};
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') throw invalid(`labels.${key}`, value, 'a string');
    if (key.startsWith('dev.rlms.')) throw invalid(`labels.${key}`, key, 'a key outside the reserved "dev.rlms." prefix');
  }
  const pull = settings.pull ?? 'missing';
  if (pull !== 'missing' && pull !== 'never') throw invalid('pull', pull, '"missing" or "never"');
  let maxIdle = 0;
  if (settings.reuse === true) maxIdle = 4;
  else if (typeof settings.reuse === 'object' && settings.reuse !== null) maxIdle = settings.reuse.maxIdle ?? 4;
  else if (settings.reuse !== undefined && settings.reuse !== false) {
    throw invalid('reuse', settings.reuse, 'a boolean or { maxIdle: number }');
  }
  if (!Number.isInteger(maxIdle) || maxIdle < 0) throw invalid('reuse.maxIdle', maxIdle, 'an integer >= 0');
  const interruptGraceMs = settings.interruptGraceMs ?? 2000;
  if (!Number.isFinite(interruptGraceMs) || interruptGraceMs < 0) {
    throw invalid('interruptGraceMs', interruptGraceMs, 'milliseconds >= 0');
  }
  const startTimeoutMs = settings.startTimeoutMs ?? 60_000;
  if (!Number.isFinite(startTimeoutMs) || startTimeoutMs <= 0) {
    throw invalid('startTimeoutMs', startTimeoutMs, 'milliseconds > 0');
  }
  const reapStaleContainers = settings.reapStaleContainers ?? true;
  if (typeof reapStaleContainers !== 'boolean') throw invalid('reapStaleContainers', reapStaleContainers, 'a boolean');
  return {
    image,
    memoryMiB,
    cpus,
    pidsLimit,
    pythonPath,
    user,
    labels,
    pull,
    maxIdle,
    interruptGraceMs,
    startTimeoutMs,
    reapStaleContainers,
  };
}

function parseUser(spec: string): ResolvedDockerSandboxSettings['user'] {
  if (spec === 'root') return { spec: '0:0', uid: 0, gid: 0 };
  const match = typeof spec === 'string' ? /^(\d+)(?::(\d+))?$/.exec(spec) : null;
  if (!match) {
    throw invalid('user', spec, 'a numeric "uid" or "uid:gid" (e.g. "65534:65534"), or "root"');
  }
  const uid = Number(match[1]);
  const gid = match[2] === undefined ? uid : Number(match[2]);
  return { spec: `${uid}:${gid}`, uid, gid };
}
