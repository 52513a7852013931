import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release, platform, arch } from 'node:os';

/** What machine a benchmark ran on. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly memoryGB: number;
  readonly os: string;
  readonly node: string;
  readonly python: string | undefined;
  readonly docker: string | undefined;
}

function version(command: string, args: readonly string[]): string | undefined {
  try {
    return execFileSync(command, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

/** Collects machine facts (CPU, memory, OS, Node, Python and Docker versions). Never throws. */
export function machineInfo(): MachineInfo {
  const cpuList = cpus();
  return {
    cpuModel: cpuList[0]?.model.trim() ?? 'unknown',
    cores: cpuList.length,
    memoryGB: Math.round((totalmem() / 1e9) * 10) / 10,
    os: `${platform()} ${release()} ${arch()}`,
    node: process.version,
    python: version(process.env.RLMS_PYTHON ?? 'python3', ['--version']),
    docker: version('docker', ['version', '--format', '{{.Server.Version}}']),
  };
}
