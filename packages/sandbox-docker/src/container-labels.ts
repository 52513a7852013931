import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Label present on every container this package creates (value `'1'`). */
export const SANDBOX_LABEL = 'dev.rlms.sandbox';
/** Process id of the Node process that created the container. */
export const OWNER_PID_LABEL = 'dev.rlms.owner-pid';
/** Start time of that process (ms since the epoch), to tell it apart from a later process reusing its pid. */
export const OWNER_STARTED_LABEL = 'dev.rlms.owner-started';
/** Host name of the machine that created the container (pids only mean something there). */
export const OWNER_HOST_LABEL = 'dev.rlms.owner-host';
/**
 * `/etc/machine-id` of the machine that created the container, when it has one: tells apart two
 * machines (or containers) with the same host name that share an engine.
 */
export const OWNER_MACHINE_LABEL = 'dev.rlms.owner-machine';
/** Id of the `DockerSandboxProvider` instance that created the container (random, one per provider). */
export const OWNER_INSTANCE_LABEL = 'dev.rlms.owner-instance';
/** Creation time, milliseconds since the epoch. */
export const CREATED_LABEL = 'dev.rlms.created';

/**
 * The `dev.rlms.*` labels for a container created now by this process (its owner: host, machine,
 * pid, start time and provider instance), plus the user's own.
 */
export function ownerLabels(extra: Readonly<Record<string, string>>, instanceId: string): Record<string, string> {
  const started = processStartTimeMs(process.pid) ?? Math.round(Date.now() - process.uptime() * 1000);
  const machine = machineId();
  return {
    ...extra,
    [SANDBOX_LABEL]: '1',
    [OWNER_PID_LABEL]: String(process.pid),
    [OWNER_STARTED_LABEL]: String(started),
    [OWNER_HOST_LABEL]: hostname(),
    ...(machine === undefined ? {} : { [OWNER_MACHINE_LABEL]: machine }),
    [OWNER_INSTANCE_LABEL]: instanceId,
    [CREATED_LABEL]: String(Date.now()),
  };
}

let cachedMachineId: string | null | undefined;

/** This machine's id from `/etc/machine-id` (or D-Bus's copy), or `undefined` where there is none. */
export function machineId(): string | undefined {
  if (cachedMachineId === undefined) {
    cachedMachineId = null;
    for (const path of ['/etc/machine-id', '/var/lib/dbus/machine-id']) {
      try {
        const id = readFileSync(path, 'utf8').trim();
        if (/^[0-9a-f]{16,64}$/i.test(id)) {
          cachedMachineId = id;
          break;
        }
      } catch {
        // not there: try the next one
      }
    }
  }
  return cachedMachineId ?? undefined;
}

let bootTimeMs: number | undefined;
/** Clock ticks per second of /proc/<pid>/stat start times (USER_HZ, 100 on every mainstream Linux build). */
const USER_HZ = 100;

/**
 * Start time of a process in ms since the epoch, from /proc (Linux), or `undefined` where that is
 * not available (other systems, process gone). Precision: 10 ms.
 */
export function processStartTimeMs(pid: number): number | undefined {
  try {
    if (bootTimeMs === undefined) {
      const match = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
      if (!match) return undefined;
      bootTimeMs = Number(match[1]) * 1000;
    }
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may contain spaces and parentheses): field 22 is starttime.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? bootTimeMs + (ticks * 1000) / USER_HZ : undefined;
  } catch {
    return undefined;
  }
}
