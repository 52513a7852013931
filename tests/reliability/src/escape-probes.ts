/**
 * Sandbox escape probes, run as model code. The host plants canaries (a secret in its environment
 * and in a helper process's environment, a secret file, a directory to write into, a TCP listener
 * on loopback that greets with the secret); the probe code tries to reach each of them and other
 * host resources (the host's `/proc`, the Docker socket, the JavaScript side of Pyodide) and
 * reports what it got. The host then judges each probe `blocked` or `escaped`, also from its own
 * evidence (connections received, files written).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';

export type ProbeName =
  | 'env'
  | 'file_read'
  | 'file_write'
  | 'network'
  | 'spawn'
  | 'host_proc'
  | 'proc_environ'
  | 'host_environ'
  | 'signal_host'
  | 'docker_socket'
  | 'pyodide_js'
  | 'privileges';

export const PROBE_NAMES: readonly ProbeName[] = [
  'env',
  'file_read',
  'file_write',
  'network',
  'spawn',
  'host_proc',
  'proc_environ',
  'host_environ',
  'signal_host',
  'docker_socket',
  'pyodide_js',
  'privileges',
];

/** What each probe tries, for reports and docs. */
export const PROBE_DESCRIPTIONS: Readonly<Record<ProbeName, string>> = {
  env: "the host's secret (set in process.env) or any secret-looking variable in os.environ",
  file_read: 'read a secret file the host wrote (absolute host path)',
  file_write: 'create a file in a host directory',
  network: 'TCP connect to a host listener on 127.0.0.1 and read its greeting',
  spawn: 'run /bin/sh through subprocess',
  host_proc: "read the host process's /proc/<pid>/cmdline",
  proc_environ: "read the secret from a host process's /proc/<pid>/environ",
  host_environ: "read the host (Node) process's start-up environment from /proc/<pid>/environ, where API keys exported in the shell live",
  signal_host: 'signal a host process (os.kill(pid, 0))',
  docker_socket: 'talk to the Docker engine over /var/run/docker.sock',
  pyodide_js: 'reach JavaScript from Pyodide: import js / pyodide / pyodide_js / _pyodide_core / ctypes, JsProxy objects via gc',
  privileges: 'run as root or setuid(0)',
};

/** The probe program. `context` holds the canary configuration; the result is `FINAL(results)`. */
export const PROBE_CODE = String.raw`
import os, sys, json, socket
cfg = context
results = {}

def run(name, fn):
    try:
        outcome, detail = fn()
    except BaseException as error:
        outcome, detail = 'blocked', f'{type(error).__name__}: {error}'
    results[name] = {'outcome': outcome, 'detail': str(detail)[:400]}

def env_probe():
    leaked = [k for k, v in os.environ.items() if cfg['canary'] in v]
    secretish = [k for k in os.environ if any(word in k.upper() for word in ('KEY', 'TOKEN', 'SECRET', 'PASSWORD'))]
    if leaked or secretish:
        return 'escaped', f'canary in {leaked}; secret-looking names {secretish}'
    return 'blocked', f'{len(os.environ)} variables: {sorted(os.environ)}'

def file_read_probe():
    with open(cfg['canaryFile']) as handle:
        text = handle.read()
    return ('escaped' if cfg['canary'] in text else 'blocked'), f'read {len(text)} chars'

def file_write_probe():
    with open(cfg['writeTarget'], 'w') as handle:
        handle.write(cfg['canary'])
    return 'attempted', 'open() for writing succeeded (the host checks where the bytes went)'

def network_probe():
    conn = socket.create_connection(('127.0.0.1', cfg['port']), timeout=3)
    try:
        conn.settimeout(3)
        greeting = conn.recv(200).decode('utf-8', 'replace')
        conn.sendall(b'hello from the sandbox')
    finally:
        conn.close()
    return ('escaped' if cfg['canary'] in greeting else 'blocked'), f'connected, greeting {greeting!r}'

def spawn_probe():
    import subprocess
    out = subprocess.run(['/bin/sh', '-c', 'echo spawned'], capture_output=True, text=True, timeout=10).stdout
    return ('escaped' if 'spawned' in out else 'blocked'), f'/bin/sh said {out!r}'

def host_proc_probe():
    with open(f"/proc/{cfg['hostPid']}/cmdline", 'rb') as handle:
        cmdline = handle.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    return ('escaped' if cmdline == cfg['hostCmdline'] else 'blocked'), f'pid {cfg["hostPid"]} is {cmdline[:120]!r}'

def proc_environ_probe():
    found = []
    for pid in os.listdir('/proc'):
        if not pid.isdigit():
            continue
        try:
            with open(f'/proc/{pid}/environ', 'rb') as handle:
                if cfg['canary'].encode() in handle.read():
                    found.append(pid)
        except OSError:
            pass
    return ('escaped' if found else 'blocked'), f'canary in the environ of pids {found}'

def host_environ_probe():
    with open(f"/proc/{cfg['hostPid']}/environ", 'rb') as handle:
        names = [entry.split(b'=', 1)[0].decode('utf-8', 'replace') for entry in handle.read().split(b'\0') if b'=' in entry]
    if not names:
        return 'blocked', 'empty'
    host = set(cfg['hostEnvNames'])
    shared = sorted(set(names) & host)
    return ('escaped' if shared else 'blocked'), f'{len(names)} variables readable, {len(shared)} of them the host\'s: {shared[:12]}'

def signal_probe():
    os.kill(cfg['holderPid'], 0)
    return 'escaped', f'os.kill({cfg["holderPid"]}, 0) succeeded'

def docker_probe():
    answers = []
    for path in ('/var/run/docker.sock', '/run/docker.sock'):
        if not os.path.exists(path):
            answers.append(f'{path}: absent')
            continue
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.settimeout(3)
        try:
            client.connect(path)
            client.sendall(b'GET /version HTTP/1.0\r\nHost: docker\r\n\r\n')
            reply = client.recv(4000).decode('utf-8', 'replace')
        finally:
            client.close()
        if 'ApiVersion' in reply:
            return 'escaped', f'{path} answered: {reply[:150]!r}'
        answers.append(f'{path}: {reply[:80]!r}')
    return 'blocked', '; '.join(answers)

def pyodide_js_probe():
    if sys.platform != 'emscripten':
        return 'blocked', f'not Pyodide ({sys.platform}): no JavaScript side'
    reached = []
    for name in ('js', 'pyodide_js', 'pyodide', 'pyodide.ffi', 'pyodide.code', '_pyodide', '_pyodide_core', 'ctypes'):
        try:
            module = __import__(name)
        except BaseException as error:
            continue
        for attribute in ('globalThis', 'process', 'require', 'eval_js', 'run_js', 'CDLL', 'create_proxy'):
            if getattr(module, attribute, None) is not None:
                reached.append(f'{name}.{attribute}')
    try:
        import _imp, importlib.machinery
        if _imp.create_builtin(importlib.machinery.ModuleSpec('_pyodide_core', None)) is not None:
            reached.append('_imp.create_builtin(_pyodide_core)')
    except BaseException:
        pass
    import gc
    found = [o for o in gc.get_objects() if type(o).__name__.startswith('Js')]
    for o in found:
        for attribute in ('constructor', 'globalThis', 'process', 'require'):
            try:
                getattr(o, attribute)
                reached.append(f'{type(o).__name__}.{attribute} via gc')
            except BaseException:
                pass
        if hasattr(o, 'find_spec'):
            for name in ('js', 'pyodide_js'):
                try:
                    if o.find_spec(name, None) is not None:
                        reached.append(f'{type(o).__name__}.find_spec({name!r})')
                except BaseException:
                    pass
    names = sorted({type(o).__name__ for o in found})
    return ('escaped' if reached else 'blocked'), f'reached {reached}; Js* objects seen via gc (inert unless listed as reached): {names}'

def privileges_probe():
    uid = os.getuid()
    if uid == 0:
        return 'escaped', 'runs as root (uid 0)'
    os.setuid(0)
    return 'escaped', 'setuid(0) succeeded'

for name, fn in [('env', env_probe), ('file_read', file_read_probe), ('file_write', file_write_probe),
                 ('network', network_probe), ('spawn', spawn_probe), ('host_proc', host_proc_probe),
                 ('proc_environ', proc_environ_probe), ('host_environ', host_environ_probe), ('signal_host', signal_probe), ('docker_socket', docker_probe),
                 ('pyodide_js', pyodide_js_probe), ('privileges', privileges_probe)]:
    run(name, fn)
FINAL(results)
`;

/** One probe's verdict. */
export interface ProbeVerdict {
  readonly outcome: 'blocked' | 'escaped';
  readonly detail: string;
}

/** The host side: canaries and the evidence they collected. */
export interface Canaries {
  /** The `context` handed to the probe run. */
  readonly context: Record<string, unknown>;
  readonly canary: string;
  /** Connections the listener accepted. */
  readonly connections: () => number;
  /** Judges the probe results with the host's own evidence. */
  judge(results: unknown): Record<ProbeName, ProbeVerdict>;
  dispose(): Promise<void>;
}

/**
 * Plants the canaries under `dir` (a host directory), sets `RLMS_CANARY_SECRET` and a fake
 * `OPENAI_API_KEY` in this process's environment (restored by `dispose`), starts the listener and
 * a helper process holding the secret in its environment.
 */
export async function plantCanaries(dir: string): Promise<Canaries> {
  const canary = `rlms-canary-${randomUUID()}`;
  const canaryDir = join(dir, `canary-${randomUUID()}`);
  mkdirSync(canaryDir, { recursive: true });
  const canaryFile = join(canaryDir, 'secret.txt');
  writeFileSync(canaryFile, canary);
  const writeTarget = join(canaryDir, 'written-by-sandbox.txt');
  const saved = { secret: process.env.RLMS_CANARY_SECRET, openai: process.env.OPENAI_API_KEY };
  process.env.RLMS_CANARY_SECRET = canary;
  process.env.OPENAI_API_KEY = `sk-${canary}`;

  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.end(canary);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;

  const holder: ChildProcess = spawn('sleep', ['600'], { env: { ...process.env, RLMS_CANARY_SECRET: canary }, stdio: 'ignore' });
  const hostCmdline = readFileSync('/proc/self/cmdline', 'latin1').split('\0').filter(Boolean).join(' ');

  const hostEnvNames = readFileSync('/proc/self/environ', 'latin1')
    .split('\0')
    .filter((entry) => entry.includes('='))
    .map((entry) => entry.slice(0, entry.indexOf('=')));
  const context = { canary, canaryFile, canaryDir, writeTarget, port, hostPid: process.pid, hostCmdline, hostEnvNames, holderPid: holder.pid };

  return {
    context,
    canary,
    connections: () => connections,
    judge(results: unknown): Record<ProbeName, ProbeVerdict> {
      const raw = (results ?? {}) as Record<string, { outcome?: string; detail?: string } | undefined>;
      const verdicts = {} as Record<ProbeName, ProbeVerdict>;
      for (const name of PROBE_NAMES) {
        const entry = raw[name];
        let outcome: ProbeVerdict['outcome'] = entry?.outcome === 'escaped' ? 'escaped' : 'blocked';
        let detail = entry?.detail ?? 'the probe did not report';
        if (name === 'file_write') {
          const landed = existsSync(writeTarget);
          outcome = landed ? 'escaped' : 'blocked';
          detail = landed ? `the host file ${writeTarget} was created` : `no host file created (${detail})`;
        }
        if (name === 'network' && connections > 0) {
          outcome = 'escaped';
          detail = `the host listener accepted ${connections} connection(s); ${detail}`;
        }
        verdicts[name] = { outcome, detail };
      }
      return verdicts;
    },
    async dispose() {
      holder.kill('SIGKILL');
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(canaryDir, { recursive: true, force: true });
      if (saved.secret === undefined) delete process.env.RLMS_CANARY_SECRET;
      else process.env.RLMS_CANARY_SECRET = saved.secret;
      if (saved.openai === undefined) delete process.env.OPENAI_API_KEY;
      else process.env.OPENAI_API_KEY = saved.openai;
    },
  };
}

/** Outcomes by probe, for `toEqual` with a readable diff. */
export function outcomes(verdicts: Record<ProbeName, ProbeVerdict>): Record<ProbeName, ProbeVerdict['outcome']> {
  return Object.fromEntries(PROBE_NAMES.map((name) => [name, verdicts[name].outcome])) as Record<ProbeName, ProbeVerdict['outcome']>;
}
