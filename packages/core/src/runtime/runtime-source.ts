import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of the shared Python REPL runtime (`rlms_runtime.py`) inside this package. */
export const RUNTIME_PATH: string = fileURLToPath(new URL('../../runtime/rlms_runtime.py', import.meta.url));

/** File name sandboxes should give the runtime when they copy it elsewhere (a container, a cloud VM). */
export const RUNTIME_FILE_NAME = 'rlms_runtime.py';

/** Version of the wire protocol spoken by the runtime (see `runtime/PROTOCOL.md`). */
export const PROTOCOL_VERSION = 3;

let cached: string | undefined;

/** Source text of the runtime, read once and cached. */
export function readRuntimeSource(): string {
  cached ??= readFileSync(RUNTIME_PATH, 'utf8');
  return cached;
}
