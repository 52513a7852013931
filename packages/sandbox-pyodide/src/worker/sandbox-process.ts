/**
 * Entry point of one sandbox process (a child `node` process per session): reads frames from the
 * host on fd 3, runs Pyodide in a worker thread (`pyodide-worker.ts`) and relays between the two.
 *
 * Why a process and not only a thread: a worker thread shares the host's process, its memory
 * (ArrayBuffers live outside any per-thread limit) and Node's internal message handling, so
 * JavaScript that escaped from Python could exhaust or crash the host. Here it can only exhaust
 * or crash this process, which the host caps (`RLIMIT_DATA`, an RSS watchdog) and kills.
 *
 * This thread runs no model code and holds nothing secret (the process starts with an empty
 * environment). It trusts the host's frames; the host trusts nothing this process sends.
 * Imports only Node built-ins and this folder (see pyodide-worker.ts for the `.ts` imports).
 */
import { Socket } from 'node:net';
import { MessageChannel, Worker } from 'node:worker_threads';
import { FrameDecoder, encodeFrame, type ChannelFrame } from './channel-frames.ts';
import type { BootFrame, SandboxFrame } from './channel-messages.ts';
import { INTERRUPT_REQUESTED_INDEX, type WorkerBootData, type WorkerEvent, type WorkerRequest } from './messages.ts';

const CHANNEL_FD = 3;
const SIGINT = 2;
/** Host frames are trusted; the caps only stop a runaway allocation on a corrupted stream. */
const HOST_FRAME_CAP = 0xffff_ffff;

const WORKER_URL = new URL(
  import.meta.url.endsWith('.ts') ? './pyodide-worker.ts' : './pyodide-worker.js',
  import.meta.url,
);

const channel = new Socket({ fd: CHANNEL_FD, readable: true, writable: true });
const decoder = new FrameDecoder({ header: HOST_FRAME_CAP, attachment: HOST_FRAME_CAP });

function send(frame: SandboxFrame, attachment?: Uint8Array): void {
  for (const chunk of encodeFrame(frame as unknown as Record<string, unknown>, attachment)) channel.write(chunk);
}

/** Ends this process once what was written has been flushed (or at once when the channel is gone). */
function exitSoon(code: number): void {
  channel.end(() => process.exit(code));
  setTimeout(() => process.exit(code), 1000).unref();
}

let worker: Worker | undefined;
let interruptFlag: Uint8Array | undefined;
let hostSignal: Int32Array | undefined;
let hostPort: MessageChannel['port1'] | undefined;

function startWorker(boot: BootFrame, snapshot: Uint8Array): void {
  const interruptBuffer = new SharedArrayBuffer(2);
  const hostSignalBuffer = new SharedArrayBuffer(4);
  interruptFlag = new Uint8Array(interruptBuffer);
  hostSignal = new Int32Array(hostSignalBuffer);
  const ports = new MessageChannel();
  hostPort = ports.port1;
  // An exact-size copy, moved to the worker.
  const snapshotBuffer = snapshot.byteLength > 0 ? new Uint8Array(snapshot).buffer : undefined;
  const workerData: WorkerBootData = {
    runtimeSource: boot.runtimeSource,
    makeSnapshot: boot.makeSnapshot,
    memoryLimitBytes: boot.memoryLimitBytes,
    interruptBuffer,
    hostSignal: hostSignalBuffer,
    hostPollMs: boot.hostPollMs,
    hostPort: ports.port2,
    pyodideUrl: boot.pyodideUrl,
    pyodideAsmUrl: boot.pyodideAsmUrl,
    maxFrameBytes: boot.maxFrameBytes,
    ...(snapshotBuffer ? { snapshot: snapshotBuffer } : {}),
    ...(boot.testHookSource === undefined ? {} : { testHookSource: boot.testHookSource }),
  };
  const transferList: (MessageChannel['port2'] | ArrayBuffer)[] = [ports.port2];
  if (snapshotBuffer) transferList.push(snapshotBuffer);
  worker = new Worker(WORKER_URL, {
    name: 'rlms-pyodide',
    workerData,
    transferList,
    env: {},
    argv: [],
    // No `execArgv`: a worker given its own runs outside this process's permission model
    // (`--permission` and its allow-lists would not apply to it). Inherited, they do.
    stdin: false,
    stdout: false,
    stderr: false,
    resourceLimits: { maxOldGenerationSizeMb: boot.jsHeapLimitMiB },
  });
  worker.on('message', onWorkerEvent);
  worker.on('error', (error: Error & { code?: string }) => {
    const reason = error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? 'out-of-memory' : 'crashed';
    send({ type: 'fatal', reason, message: `the Pyodide worker failed: ${error.message}` });
    exitSoon(1);
  });
  worker.on('exit', (code) => {
    send({ type: 'fatal', reason: 'crashed', message: `the Pyodide worker exited (code ${code})` });
    exitSoon(1);
  });
}

/** Worker → host: re-framed as is (the host validates). Malformed events are passed on for the host to reject. */
function onWorkerEvent(event: WorkerEvent): void {
  if (typeof event !== 'object' || event === null) {
    send({ type: 'protocol-violation', message: 'the worker posted a message that is not an object' });
    return;
  }
  switch (event.type) {
    case 'ready': {
      const snapshot = event.snapshot instanceof ArrayBuffer ? new Uint8Array(event.snapshot) : undefined;
      send({ type: 'ready', pythonVersion: String(event.pythonVersion) }, snapshot);
      return;
    }
    case 'host-call': {
      const body = event.body instanceof Uint8Array ? event.body : new Uint8Array(0);
      send({ type: 'host-call', callId: event.callId }, body);
      return;
    }
    default:
      send(event as SandboxFrame);
  }
}

function onHostFrame({ header, attachment }: ChannelFrame): void {
  const frame = header as { type?: unknown } & Record<string, unknown>;
  if (frame.type === 'boot') {
    if (!worker) startWorker(frame as unknown as BootFrame, attachment);
    return;
  }
  if (!worker || !interruptFlag || !hostSignal || !hostPort) return;
  switch (frame.type) {
    case 'interrupt':
      // Byte 1 first: once Python consumes byte 0, byte 1 still says this request was interrupted.
      Atomics.store(interruptFlag, INTERRUPT_REQUESTED_INDEX, 1);
      Atomics.store(interruptFlag, 0, SIGINT);
      return;
    case 'host-reply':
      hostPort.postMessage({ callId: frame['callId'], body: attachment }, [attachment.buffer as ArrayBuffer]);
      Atomics.add(hostSignal, 0, 1);
      Atomics.notify(hostSignal, 0);
      return;
    case 'configure':
    case 'execute':
    case 'load-context': {
      // A stale SIGINT from an earlier timeout must not hit this request.
      Atomics.store(interruptFlag, 0, 0);
      Atomics.store(interruptFlag, INTERRUPT_REQUESTED_INDEX, 0);
      const request = (frame.type === 'load-context' ? { ...frame, bytes: attachment } : frame) as unknown as WorkerRequest;
      worker.postMessage(request, frame.type === 'load-context' ? [attachment.buffer as ArrayBuffer] : []);
      return;
    }
    default:
      return;
  }
}

channel.on('data', (chunk: Buffer) => {
  for (const frame of decoder.push(chunk)) onHostFrame(frame);
});
// The host closed the channel or died: nothing is left to serve.
channel.on('end', () => process.exit(0));
channel.on('close', () => process.exit(0));
channel.on('error', () => process.exit(0));
