import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

let pythonBinDir: string | undefined;

/** Directory of the host's real `python3` binary (not a pyenv/asdf shim, which needs the host environment). */
function findPythonBinDir(): string {
  if (pythonBinDir === undefined) {
    let executable: string;
    try {
      executable = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
    } catch (error) {
      throw new Error('The offline sandbox fakes run commands with the host `python3`; install Python >= 3.10.', {
        cause: error,
      });
    }
    pythonBinDir = path.dirname(executable);
  }
  return pythonBinDir;
}

/** Options of {@link LocalSandboxRoot.create}. */
export interface LocalSandboxRootOptions {
  /** Start of the temporary directory's name, e.g. `'rlms-fake-e2b-'`. */
  readonly prefix: string;
  /** The sandbox user's home directory, where relative paths start, e.g. `'/home/user'`. */
  readonly home: string;
  /**
   * How sandbox paths map to host paths:
   * - `'chroot'` (default): like a chroot, the sandbox path `/tmp/x` is `<root>/tmp/x` on the
   *   host. For SDKs that pass working directories and file paths as arguments the fake maps.
   * - `'host'`: sandbox paths are host paths confined to the root, and the home is `<root><home>`.
   *   For SDKs whose commands embed absolute paths a (host) shell must find, e.g. `cd <dir> && …`.
   */
  readonly paths?: 'chroot' | 'host';
}

/**
 * A private temporary directory standing in for a remote sandbox's filesystem, for the offline
 * fakes of cloud sandbox SDKs (E2B, Modal, Daytona): paths outside it are refused. Commands run as
 * local processes in their own process group with a minimal environment (never the host's), so
 * nothing from the host leaks in. {@link dispose} kills them all and deletes the directory.
 */
export class LocalSandboxRoot {
  /** The host directory holding the sandbox's files. */
  readonly root: string;
  /** Sandbox path of the user's home directory (a host path inside {@link root} with `paths: 'host'`). */
  readonly homePath: string;
  private readonly chroot: boolean;
  private readonly children = new Set<ChildProcess>();
  private disposed = false;

  private constructor(root: string, homePath: string, chroot: boolean) {
    this.root = root;
    this.homePath = homePath;
    this.chroot = chroot;
  }

  /** Creates the directory (with the home, and `/tmp` in a chroot). */
  static async create(options: LocalSandboxRootOptions): Promise<LocalSandboxRoot> {
    const root = await mkdtemp(path.join(tmpdir(), options.prefix));
    const chroot = options.paths !== 'host';
    const sandbox = new LocalSandboxRoot(root, chroot ? options.home : path.join(root, options.home), chroot);
    await mkdir(sandbox.hostPath(sandbox.homePath), { recursive: true });
    if (chroot) await mkdir(sandbox.hostPath('/tmp'), { recursive: true });
    return sandbox;
  }

  /** True once {@link dispose} was called. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Host path of a sandbox path (relative ones start at the home). Throws for paths that would leave the root. */
  hostPath(sandboxPath: string): string {
    const host = this.chroot
      ? path.join(this.root, path.posix.resolve(this.homePath, sandboxPath))
      : path.resolve(this.homePath, sandboxPath);
    if (host !== this.root && !host.startsWith(this.root + path.sep)) {
      throw new Error(`Path ${sandboxPath} is outside the sandbox.`);
    }
    return host;
  }

  /** Writes a file (creating its directories); returns its absolute sandbox path. */
  async writeFile(sandboxPath: string, data: Uint8Array | string): Promise<string> {
    const host = this.hostPath(sandboxPath);
    await mkdir(path.dirname(host), { recursive: true });
    await writeFile(host, data);
    return path.posix.resolve(this.homePath, sandboxPath);
  }

  /** The environment of sandbox processes: a fixed PATH and locale, plus `extra`. */
  environment(extra: Readonly<Record<string, string>> = {}): Record<string, string> {
    return {
      PATH: `${findPythonBinDir()}:/usr/local/bin:/usr/bin:/bin`,
      HOME: this.hostPath(this.homePath),
      LANG: 'C.UTF-8',
      ...extra,
    };
  }

  /**
   * Starts `argv` in its own process group, tracked for {@link killAll}, in the sandbox directory
   * `cwd` with {@link environment}(`env`).
   * @throws Error once the sandbox is disposed, or for an empty `argv`.
   */
  spawn(
    argv: readonly string[],
    options: { cwd: string; env?: Readonly<Record<string, string>>; stdin: boolean },
  ): ChildProcess {
    if (this.disposed) throw new Error('The sandbox was terminated.');
    const [file, ...args] = argv;
    if (file === undefined) throw new Error('Empty command.');
    const child = spawn(file, args, {
      cwd: this.hostPath(options.cwd),
      env: this.environment(options.env),
      detached: true,
      stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    // A write to the stdin of a process that just died raises EPIPE on the stream; the command's
    // exit is reported through its own events.
    child.stdin?.on('error', () => {});
    return child;
  }

  /** Starts `/bin/bash -c command` (see {@link spawn}). */
  spawnShell(
    command: string,
    options: { cwd: string; env?: Readonly<Record<string, string>>; stdin: boolean },
  ): ChildProcess {
    return this.spawn(['/bin/bash', '-c', command], options);
  }

  /** SIGKILLs every process group started here. */
  killAll(): void {
    for (const child of this.children) killProcessGroup(child, 'SIGKILL');
    this.children.clear();
  }

  /** Kills every process and deletes the directory. Idempotent. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.killAll();
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Sends `signal` to the process group of `child` (falls back to the process); does nothing once it has exited. */
export function killProcessGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}
