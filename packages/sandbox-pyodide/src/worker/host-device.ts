/**
 * The host-call bridge, worker side: a character device in Pyodide's in-memory filesystem.
 *
 * Python writes one request frame (8-byte little-endian length + JSON) to the device and reads
 * the reply frame back. The write handler posts the request to the relay (and so to the host);
 * the read handler blocks the worker with `Atomics.wait` until the reply arrives on `hostPort`
 * (drained synchronously with `receiveMessageOnPort`), so Python sees an ordinary blocking call
 * while the host stays async. Replies of any size pass (copied out in the sizes Python asks for).
 * The wait wakes every `pollMs` to check the interrupt buffer; on SIGINT it fails with EINTR, and
 * CPython turns that into `KeyboardInterrupt`.
 *
 * A request is limited to `maxFrameBytes` (the session's cap): one that announces more is never
 * buffered; the device reports a `protocol-violation` (the host ends the session) and fails with
 * EIO. The host enforces the same cap on its side, whatever this code does.
 *
 * Python never holds a JavaScript object here: only a file descriptor.
 */
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { PyodideAPI } from 'pyodide';
import { INTERRUPT_REQUESTED_INDEX, type HostReply, type WorkerEvent } from './messages.ts';

/** Path of the device inside the sandbox. */
export const HOST_DEVICE_PATH = '/dev/rlms_host';
/** Path of the sleep device: write a float64 (seconds), then a 1-byte read blocks that long. */
export const SLEEP_DEVICE_PATH = '/dev/rlms_sleep';
/** Path of the interrupt device: a 1-byte read gives 1 when the host interrupted the current request. */
export const INTERRUPT_DEVICE_PATH = '/dev/rlms_interrupt';

const ERRNO_EINTR = 27;
const ERRNO_EIO = 29;
const HEADER_BYTES = 8;
const SIGINT = 2;

/** Emscripten's FS, as far as the device needs it. */
interface EmscriptenFS {
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: DeviceOps): void;
  mkdev(path: string, dev: number): void;
  ErrnoError: new (errno: number) => Error;
}

interface DeviceOps {
  open?(stream: unknown): void;
  close?(stream: unknown): void;
  read(stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number): number;
  write(stream: unknown, buffer: Uint8Array, offset: number, length: number, position: number): number;
}

export interface HostDeviceOptions {
  readonly hostPort: MessagePort;
  /** Largest request, in bytes (until `setMaxFrameBytes`). */
  readonly maxFrameBytes: number;
  readonly hostSignal: Int32Array;
  /** Pyodide's interrupt buffer (byte 0) and the request's sticky interrupt flag (byte 1). */
  readonly interrupt: Uint8Array;
  readonly pollMs: number;
  readonly post: (event: WorkerEvent) => void;
}

/** The device's controls: drop a half-finished exchange, change the request cap. */
export interface HostDevice {
  reset(): void;
  setMaxFrameBytes(bytes: number): void;
}

/** Registers the device. */
export function installHostDevice(pyodide: PyodideAPI, options: HostDeviceOptions): HostDevice {
  const fs = pyodide.FS as unknown as EmscriptenFS;
  let maxFrameBytes = options.maxFrameBytes;
  /** Set once Python broke the protocol: every later write fails. */
  let violated = false;

  let nextCallId = 1;
  /** The request being written (a frame may arrive in several writes): its 8-byte header, then its body. */
  const header = new Uint8Array(HEADER_BYTES);
  let headerFill = 0;
  let body: Uint8Array | undefined;
  let bodyFill = 0;
  /** The call whose reply Python is waiting for, or 0. */
  let pendingCallId = 0;
  /** Reply bytes not yet read by Python. */
  let reply: Uint8Array | undefined;
  let replyOffset = 0;

  const clearRequest = (): void => {
    headerFill = 0;
    body = undefined;
    bodyFill = 0;
  };

  const sendRequest = (request: Uint8Array): void => {
    if (pendingCallId !== 0) {
      // Python abandoned the previous call (KeyboardInterrupt while waiting): let the host stop it.
      options.post({ type: 'host-cancel', callId: pendingCallId });
    }
    pendingCallId = nextCallId++;
    reply = undefined;
    replyOffset = 0;
    options.post({ type: 'host-call', callId: pendingCallId, body: request });
  };

  const violation = (message: string): never => {
    violated = true;
    clearRequest();
    options.post({ type: 'protocol-violation', message });
    throw new fs.ErrnoError(ERRNO_EIO);
  };

  /** Blocks until the reply of `pendingCallId` is there; throws EINTR on an interrupt request. */
  const awaitReply = (): Uint8Array => {
    for (;;) {
      const seen = Atomics.load(options.hostSignal, 0);
      for (let message = receiveMessageOnPort(options.hostPort); message; message = receiveMessageOnPort(options.hostPort)) {
        const answer = message.message as HostReply;
        if (answer.callId !== pendingCallId) continue; // a late reply to an abandoned call
        const body = answer.body;
        const framed = new Uint8Array(HEADER_BYTES + body.length);
        new DataView(framed.buffer).setBigUint64(0, BigInt(body.length), true);
        framed.set(body, HEADER_BYTES);
        return framed;
      }
      if (options.interrupt[0] === SIGINT) throw new fs.ErrnoError(ERRNO_EINTR);
      Atomics.wait(options.hostSignal, 0, seen, options.pollMs);
    }
  };

  const ops: DeviceOps = {
    write(_stream, buffer, offset, length) {
      if (violated) throw new fs.ErrnoError(ERRNO_EIO);
      let at = offset;
      const end = offset + length;
      if (headerFill < HEADER_BYTES) {
        const take = Math.min(HEADER_BYTES - headerFill, end - at);
        header.set(buffer.subarray(at, at + take), headerFill);
        headerFill += take;
        at += take;
        if (headerFill < HEADER_BYTES) return length;
        const announced = new DataView(header.buffer).getBigUint64(0, true);
        if (announced > BigInt(maxFrameBytes)) {
          violation(`Python announced a host request of ${announced} bytes, over maxFrameBytes (${maxFrameBytes})`);
        }
        // Within the cap, so allocating it up front is bounded.
        body = new Uint8Array(Number(announced));
        bodyFill = 0;
      }
      const request = body!;
      if (bodyFill + (end - at) > request.byteLength) {
        violation(`Python wrote more to the host device than the ${request.byteLength}-byte request it announced`);
      }
      request.set(buffer.subarray(at, end), bodyFill);
      bodyFill += end - at;
      if (bodyFill === request.byteLength) {
        clearRequest();
        sendRequest(request);
      }
      return length;
    },
    read(_stream, buffer, offset, length) {
      if (!reply) {
        if (pendingCallId === 0) throw new fs.ErrnoError(ERRNO_EIO);
        reply = awaitReply();
        replyOffset = 0;
      }
      const count = Math.min(length, reply.length - replyOffset);
      buffer.set(reply.subarray(replyOffset, replyOffset + count), offset);
      replyOffset += count;
      if (replyOffset >= reply.length) {
        reply = undefined;
        pendingCallId = 0;
      }
      return count;
    },
  };

  const dev = fs.makedev(64, 0);
  fs.registerDevice(dev, ops);
  fs.mkdev(HOST_DEVICE_PATH, dev);
  installSleepDevice(fs, options);
  installInterruptDevice(fs, options);

  return {
    setMaxFrameBytes(bytes: number) {
      maxFrameBytes = bytes;
    },
    reset() {
      clearRequest();
      reply = undefined;
      replyOffset = 0;
      if (pendingCallId !== 0) options.post({ type: 'host-cancel', callId: pendingCallId });
      pendingCallId = 0;
    },
  };
}

/**
 * `time.sleep` for the sandbox: CPython's own sleep cannot be interrupted here, so the glue
 * replaces it with a write of the duration to this device and a blocking read, which waits with
 * `Atomics.wait` in short slices and fails with EINTR when an interrupt is requested.
 */
function installSleepDevice(fs: EmscriptenFS, options: HostDeviceOptions): void {
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let deadline = 0;
  const ops: DeviceOps = {
    write(_stream, buffer, offset, length) {
      if (length !== 8) throw new fs.ErrnoError(ERRNO_EIO);
      const seconds = new DataView(buffer.buffer, buffer.byteOffset + offset, 8).getFloat64(0, true);
      deadline = performance.now() + Math.max(0, Number.isFinite(seconds) ? seconds * 1000 : 0);
      return length;
    },
    read(_stream, buffer, offset, length) {
      for (;;) {
        const remaining = deadline - performance.now();
        if (remaining <= 0) break;
        if (options.interrupt[0] === SIGINT) throw new fs.ErrnoError(ERRNO_EINTR);
        Atomics.wait(sleeper, 0, 0, Math.min(remaining, options.pollMs));
      }
      if (length > 0) buffer[offset] = 0;
      return Math.min(length, 1);
    },
  };
  const dev = fs.makedev(64, 1);
  fs.registerDevice(dev, ops);
  fs.mkdev(SLEEP_DEVICE_PATH, dev);
}

/**
 * Pyodide consumes its interrupt buffer (byte 0) when Python next checks it, and the runtime
 * ignores a SIGINT that lands before the cell's code starts. An interrupt that overtook its request
 * (sent while the worker had not yet picked the request up) would then be lost and the cell would
 * run on until the host killed the sandbox. Byte 1 stays set until the next request, and the runtime
 * reads it through this device right before a cell starts (`Runtime.interrupt_requested`).
 */
function installInterruptDevice(fs: EmscriptenFS, options: HostDeviceOptions): void {
  const ops: DeviceOps = {
    write() {
      throw new fs.ErrnoError(ERRNO_EIO);
    },
    read(_stream, buffer, offset, length) {
      if (length <= 0) return 0;
      buffer[offset] = Atomics.load(options.interrupt, INTERRUPT_REQUESTED_INDEX) === 0 ? 0 : 1;
      return 1;
    },
  };
  const dev = fs.makedev(64, 2);
  fs.registerDevice(dev, ops);
  fs.mkdev(INTERRUPT_DEVICE_PATH, dev);
}
