/**
 * Entry point of the Pyodide worker thread of a sandbox process (started by `sandbox-process.ts`):
 * boots CPython (from a memory snapshot when one is given), starts the shared runtime, locks
 * Python, the Python → JavaScript bridge and the JavaScript realm down, then serves `configure` /
 * `load-context` / `execute` requests one at a time.
 *
 * Relative imports in this folder name `.ts` files (rewritten to `.js` by tsc): the worker is
 * started from source by Node's type stripping in tests, from `dist/` in a published build.
 * Only `import type` may cross from here to the main-thread modules.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { PyodideAPI } from 'pyodide';
import { bootPyodide } from './boot-pyodide.ts';
import { GLUE_MODULE_NAME, GLUE_SOURCE } from './glue-source.ts';
import { hardenRealm } from './harden-realm.ts';
import { HOST_DEVICE_PATH, INTERRUPT_DEVICE_PATH, SLEEP_DEVICE_PATH, installHostDevice } from './host-device.ts';
import { RawOutput } from './raw-output.ts';
import { loadTestHook } from './test-hook.ts';
import type { WorkerBootData, WorkerEvent, WorkerFailure, WorkerRequest } from './messages.ts';

const PYTHON_LIB_DIR = '/lib/rlms';
const RUNTIME_FILE = `${PYTHON_LIB_DIR}/rlms_runtime.py`;
const GLUE_FILE = `${PYTHON_LIB_DIR}/${GLUE_MODULE_NAME}.py`;
const CONTEXT_DIR = '/tmp/.rlms';

interface Glue {
  prepare(runtimeSource: string, runtimePath: string): void;
  start(devicePath: string, sleepDevicePath: string, interruptDevicePath: string, runtimeSource: string, runtimePath: string, maxFrameBytes: number): string;
  lock_down(): void;
  configure(configJson: string, maxFrameBytes: number): string;
  load_context(path: string, format: string, variable: string): string;
  execute(code: string): string;
}

function loadGlue(pyodide: PyodideAPI): Glue {
  pyodide.FS.mkdirTree(PYTHON_LIB_DIR);
  pyodide.FS.writeFile(GLUE_FILE, GLUE_SOURCE);
  pyodide.runPython(
    `import sys\nif ${JSON.stringify(PYTHON_LIB_DIR)} not in sys.path: sys.path.insert(0, ${JSON.stringify(PYTHON_LIB_DIR)})`,
  );
  const module = pyodide.pyimport(GLUE_MODULE_NAME) as unknown as Glue;
  // Each method is looked up once, now: after the bridge is locked, calling these (strings in,
  // strings out) is all the worker does with Python.
  return {
    prepare: module.prepare,
    start: module.start,
    lock_down: module.lock_down,
    configure: module.configure,
    load_context: module.load_context,
    execute: module.execute,
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function run(port: MessagePort, data: WorkerBootData): Promise<void> {
  const post = (event: WorkerEvent): void =>
    port.postMessage(event, event.type === 'host-call' ? [event.body.buffer as ArrayBuffer] : []);

  const { pyodide, memoryCapHit, resetMemoryCapHit, jsBridge } = await bootPyodide({
    pyodideUrl: data.pyodideUrl,
    pyodideAsmUrl: data.pyodideAsmUrl,
    memoryLimitBytes: data.memoryLimitBytes,
    makeSnapshot: data.makeSnapshot && !data.snapshot,
    // Restored straight from shared memory (Pyodide copies it into the wasm heap).
    ...(data.snapshot ? { snapshot: new Uint8Array(data.snapshot) } : {}),
  });
  const glue = loadGlue(pyodide);

  let snapshot: ArrayBuffer | undefined;
  if (data.makeSnapshot && !data.snapshot) {
    glue.prepare(data.runtimeSource, RUNTIME_FILE);
    // An exact-size copy, moved to the relay, which sends it to the host.
    snapshot = new Uint8Array(pyodide.makeMemorySnapshot()).buffer;
  }

  const interrupt = new Uint8Array(data.interruptBuffer);
  const device = installHostDevice(pyodide, {
    hostPort: data.hostPort,
    hostSignal: new Int32Array(data.hostSignal),
    interrupt,
    pollMs: data.hostPollMs,
    maxFrameBytes: data.maxFrameBytes,
    post,
  });
  // Test-only (never set by the public API): compiled now, while module loading still works.
  const testHook = data.testHookSource === undefined ? undefined : await loadTestHook(pyodide, data.testHookSource);
  const stdout = new RawOutput();
  const stderr = new RawOutput();
  pyodide.setStdout({ write: stdout.write });
  pyodide.setStderr({ write: stderr.write });
  pyodide.setStdin({ error: true });
  pyodide.FS.mkdirTree(CONTEXT_DIR);

  const pythonVersion = glue.start(HOST_DEVICE_PATH, SLEEP_DEVICE_PATH, INTERRUPT_DEVICE_PATH, data.runtimeSource, RUNTIME_FILE, data.maxFrameBytes);
  pyodide.setInterruptBuffer(interrupt);
  glue.lock_down();
  hardenRealm(pyodide);
  // From here on Python can neither read, call nor create a JavaScript object.
  jsBridge.lock();
  testHook?.arm();

  let contextCounter = 0;
  let dead = false;

  /**
   * A JavaScript exception escaped the glue (which catches every Python exception itself): the
   * interpreter exited (`os._exit`), overflowed the JavaScript stack or hit a fatal error. It is
   * not trusted again.
   */
  const fail = (id: number, error: unknown): void => {
    dead = true;
    const failure: WorkerFailure = {
      ...(memoryCapHit() ? { reason: 'out-of-memory' as const } : {}),
      message: describe(error),
    };
    post({ type: 'response', id, ok: false, failure });
  };

  const handle = (request: WorkerRequest): void => {
    if (dead) {
      post({ type: 'response', id: request.id, ok: false, failure: { message: 'the interpreter is gone' } });
      return;
    }
    device.reset();
    resetMemoryCapHit();
    stdout.capturing = stderr.capturing = true;
    try {
      let json: string;
      if (request.type === 'configure') {
        device.setMaxFrameBytes(request.maxFrameBytes);
        json = glue.configure(request.configJson, request.maxFrameBytes);
      } else if (request.type === 'load-context') {
        const path = `${CONTEXT_DIR}/context-${++contextCounter}`;
        // canOwn: MEMFS keeps this Uint8Array instead of copying it; unlinked right after reading.
        pyodide.FS.writeFile(path, request.bytes, { canOwn: true });
        json = glue.load_context(path, request.format, request.variable);
      } else {
        json = glue.execute(request.code);
      }
      const rawStdout = stdout.take();
      const rawStderr = stderr.take();
      post({
        type: 'response',
        id: request.id,
        ok: true,
        json,
        ...(rawStdout === undefined ? {} : { rawStdout }),
        ...(rawStderr === undefined ? {} : { rawStderr }),
      });
    } catch (error) {
      stdout.take();
      stderr.take();
      fail(request.id, error);
    } finally {
      stdout.capturing = stderr.capturing = false;
    }
  };

  port.on('message', handle);
  port.postMessage({ type: 'ready', pythonVersion, ...(snapshot ? { snapshot } : {}) } satisfies WorkerEvent, snapshot ? [snapshot] : []);
}

const port = parentPort;
if (!port) throw new Error('pyodide-worker.ts must run as a worker thread');
run(port, workerData as WorkerBootData).catch((error: unknown) => {
  port.postMessage({ type: 'boot-failed', message: describe(error) } satisfies WorkerEvent);
});
