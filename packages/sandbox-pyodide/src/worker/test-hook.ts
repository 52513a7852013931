/**
 * Test-only: lets the tests run arbitrary JavaScript inside the sandbox's hardened JavaScript
 * realm, as an attacker who got from Python to JavaScript would. Only `@rlms/sandbox-pyodide/testing`
 * can turn it on; a provider made by `createPyodideSandbox()` never loads it.
 *
 * The hook is an ES module (its source given by the test) whose default export takes a string and
 * returns one. It is loaded before the realm is hardened (so it may import what it likes), and
 * Python calls it once the sandbox is locked down by writing the argument to `/dev/rlms_test_js`
 * and reading the answer back.
 */
import type { PyodideAPI } from 'pyodide';

/** Path of the test device inside the sandbox. */
export const TEST_HOOK_DEVICE_PATH = '/dev/rlms_test_js';

interface DeviceFS {
  makedev(major: number, minor: number): number;
  registerDevice(dev: number, ops: object): void;
  mkdev(path: string, dev: number): void;
  ErrnoError: new (errno: number) => Error;
}

const ERRNO_EIO = 29;

/** Loads the hook module and registers its device; `arm()` makes the device usable. */
export async function loadTestHook(pyodide: PyodideAPI, source: string): Promise<{ arm(): void }> {
  const module = (await import(`data:text/javascript;base64,${Buffer.from(source).toString('base64')}`)) as {
    default?: (input: string) => unknown;
  };
  const hook = module.default;
  if (typeof hook !== 'function') throw new Error('the test hook module must export a default function');
  const fs = pyodide.FS as unknown as DeviceFS;
  let armed = false;
  let input: Uint8Array[] = [];
  let output: Uint8Array | undefined;
  let outputOffset = 0;
  const ops = {
    write(_stream: unknown, buffer: Uint8Array, offset: number, length: number): number {
      if (!armed) throw new fs.ErrnoError(ERRNO_EIO);
      // Emscripten hands devices a view of its heap (an Int8Array): copy the bytes out.
      input.push(new Uint8Array(buffer.buffer, buffer.byteOffset + offset, length).slice());
      return length;
    },
    read(_stream: unknown, buffer: Uint8Array, offset: number, length: number): number {
      if (!armed) throw new fs.ErrnoError(ERRNO_EIO);
      if (!output) {
        const argument = new TextDecoder().decode(Buffer.concat(input));
        input = [];
        let answer: string;
        try {
          answer = String(hook(argument));
        } catch (error) {
          answer = `error: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`;
        }
        output = new TextEncoder().encode(answer);
        outputOffset = 0;
      }
      const count = Math.min(length, output.byteLength - outputOffset);
      buffer.set(output.subarray(outputOffset, outputOffset + count), offset);
      outputOffset += count;
      if (count === 0) output = undefined; // end of this answer
      return count;
    },
  };
  const dev = fs.makedev(64, 9);
  fs.registerDevice(dev, ops);
  fs.mkdev(TEST_HOOK_DEVICE_PATH, dev);
  return {
    arm() {
      armed = true;
    },
  };
}
