import { RUNTIME_FILE_NAME } from '@rlms/core/sandbox';

/**
 * The small Python programs the Docker sandbox runs inside its containers (besides the runtime),
 * and the paths and environment they share. Each is passed with `python3 -c`, so the image needs
 * nothing but a Python interpreter.
 */

/** Directory inside the container holding the runtime, its pid file and uploaded contexts. */
export const WORK_DIR = '/tmp/rlms';
export const WORK_DIR_PARENT = '/tmp';
export const WORK_DIR_NAME = 'rlms';
const PID_FILE = `${WORK_DIR}/runtime.pid`;
const RUNTIME_PATH_IN_CONTAINER = `${WORK_DIR}/${RUNTIME_FILE_NAME}`;

/** Exit code of the launcher when the interpreter is older than 3.10. */
export const PYTHON_TOO_OLD_EXIT_CODE = 86;

/** Environment of the container and its execs: nothing from the host. */
export const ENV = [
  'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  `HOME=${WORK_DIR}`,
  'LANG=C.UTF-8',
  'PYTHONDONTWRITEBYTECODE=1',
  'PYTHONIOENCODING=utf-8',
];

/**
 * PID 1 of the container: sleeps forever, reaps orphaned processes (model code's subprocesses),
 * exits at once on SIGTERM/SIGINT.
 */
export const KEEPER = [
  'import os, signal, time',
  'signal.signal(signal.SIGTERM, lambda *_: os._exit(0))',
  'signal.signal(signal.SIGINT, lambda *_: os._exit(0))',
  'while True:',
  '    try:',
  '        os.waitpid(-1, 0)',
  '    except ChildProcessError:',
  '        time.sleep(1)',
].join('\n');

/** Checks the interpreter version, records its pid, then becomes the runtime (same pid). */
export const LAUNCHER = [
  'import os, sys',
  'if sys.version_info < (3, 10):',
  '    sys.stderr.write("rlms: Python >= 3.10 is required, found %s\\n" % sys.version.split()[0])',
  `    sys.exit(${PYTHON_TOO_OLD_EXIT_CODE})`,
  `with open(${JSON.stringify(PID_FILE)} + ".tmp", "w") as f:`,
  '    f.write(str(os.getpid()))',
  `os.replace(${JSON.stringify(PID_FILE)} + ".tmp", ${JSON.stringify(PID_FILE)})`,
  `os.execv(sys.executable, [sys.executable, "-u", ${JSON.stringify(RUNTIME_PATH_IN_CONTAINER)}])`,
].join('\n');

/** Sends a signal (argv[1]) to the runtime whose pid is in the pid file. */
export const SIGNALLER = [
  'import os, signal, sys',
  `pid = int(open(${JSON.stringify(PID_FILE)}).read())`,
  'os.kill(pid, getattr(signal, sys.argv[1]))',
].join('\n');

/** Prints how many processes the kernel's OOM killer has killed in this container's memory cgroup (v1 or v2). */
export const OOM_COUNTER = [
  'import re',
  'count = -1',
  'for path in ("/sys/fs/cgroup/memory.events", "/sys/fs/cgroup/memory/memory.oom_control"):',
  '    try:',
  '        m = re.search(r"^oom_kill (\\d+)$", open(path).read(), re.M)',
  '    except OSError:',
  '        continue',
  '    if m:',
  '        count = int(m.group(1))',
  '        break',
  'print(count)',
].join('\n');

/** Kills every process except PID 1, empties the work directory (all but the runtime), prints the OOM kill count. */
export const RESETTER = [
  'import os, signal',
  'me = os.getpid()',
  'for name in os.listdir("/proc"):',
  '    if name.isdigit() and int(name) not in (1, me):',
  '        try:',
  '            os.kill(int(name), signal.SIGKILL)',
  '        except OSError:',
  '            pass',
  `for name in os.listdir(${JSON.stringify(WORK_DIR)}):`,
  `    if name != ${JSON.stringify(RUNTIME_FILE_NAME)}:`,
  `        path = os.path.join(${JSON.stringify(WORK_DIR)}, name)`,
  '        if os.path.isdir(path) and not os.path.islink(path):',
  '            import shutil; shutil.rmtree(path, ignore_errors=True)',
  '        else:',
  '            os.unlink(path)',
].join('\n') + '\n' + OOM_COUNTER;
