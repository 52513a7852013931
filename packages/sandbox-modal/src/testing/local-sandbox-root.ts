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

/**
 * A private temporary directory standing in for a remote sandbox's filesystem, like a chroot:
 * the sandbox path `/tmp/x` is `<root>/tmp/x` on the host and relative paths start at the
 * sandbox user's home. Commands run as local processes in their own process group with a
 * minimal environment (never the host's), so nothing from the host leaks in.
 */
export class LocalSandboxRoot {
  readonly root: string;
  /** Sandbox path of the user's home directory, e.g. `/home/user`. */
  readonly homePath: string;
  private readonly children = new Set<ChildProcess>();
  private disposed = false;

  private constructor(root: string, homePath: string) {
    this.root = root;
    this.homePath = homePath;
  }

  static async create(prefix: string, homePath: string): Promise<LocalSandboxRoot> {
    const root = await mkdtemp(path.join(tmpdir(), prefix));
    const sandbox = new LocalSandboxRoot(root, homePath);
    await mkdir(sandbox.hostPath(homePath), { recursive: true });
    await mkdir(sandbox.hostPath('/tmp'), { recursive: true });
    return sandbox;
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  /** Host path of a sandbox path. Throws for paths that would leave the root. */
  hostPath(sandboxPath: string): string {
    const absolute = path.posix.resolve(this.homePath, sandboxPath);
    const host = path.join(this.root, absolute);
    if (host !== this.root && !host.startsWith(this.root + path.sep)) {
      throw new Error(`Path ${sandboxPath} is outside the sandbox.`);
    }
    return host;
  }

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

  /** Starts `argv` in its own process group, tracked for {@link killAll}. */
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
    for (const child of this.children) killGroup(child, 'SIGKILL');
    this.children.clear();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.killAll();
    await rm(this.root, { recursive: true, force: true });
  }
}

/** Sends `signal` to the process group of `child` (falls back to the process). */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
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
