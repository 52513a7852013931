import { SandboxError } from '../errors/index.js';
import type { TransportExit } from './frame-transport.js';

const TAIL_CHARS = 8000;

/** The last few thousand characters a runtime process wrote on its own stderr, for error messages. */
export class DiagnosticTail {
  #text = '';
  readonly #decoder = new TextDecoder();

  /** The kept text. */
  get text(): string {
    return this.#text;
  }

  /** Appends raw stderr bytes (UTF-8, split characters handled). */
  pushBytes(chunk: Uint8Array): void {
    this.push(this.#decoder.decode(chunk, { stream: true }));
  }

  /** Appends text. */
  push(text: string): void {
    const tail = this.#text + text;
    this.#text = tail.length > TAIL_CHARS ? tail.slice(tail.length - TAIL_CHARS) : tail;
  }

  /** `"\nRuntime stderr (last lines):\n…"`, or `''` when nothing was written. */
  suffix(): string {
    const tail = this.#text.trim();
    return tail === '' ? '' : `\nRuntime stderr (last lines):\n${tail}`;
  }
}

/** `'exit code 1'`, `'killed by SIGKILL'`, `'connection lost: …'`. */
export function describeExit(exit: TransportExit | undefined): string {
  if (exit === undefined) return 'unknown status';
  if (exit.error !== undefined) return `connection lost: ${errorMessage(exit.error)}`;
  if (exit.signal !== undefined && exit.signal !== null) return `killed by ${exit.signal}`;
  if (exit.code !== undefined && exit.code !== null) return `exit code ${exit.code}`;
  return 'unknown status';
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `SandboxError` code `'startup-timeout'`. */
export function startupTimeoutError(sandbox: string, timeoutMs: number, stderr: DiagnosticTail): SandboxError {
  return new SandboxError(
    `The ${sandbox} sandbox's Python runtime did not become ready within ${timeoutMs} ms ` +
      `(raise startupTimeoutMs on a slow machine).${stderr.suffix()}`,
    { sandbox, code: 'startup-timeout' },
  );
}

/** `SandboxError` code `'startup-failed'`; `cause` is the transport's error (e.g. spawn `ENOENT`). */
export function startupFailedError(sandbox: string, exit: TransportExit | undefined, stderr: DiagnosticTail): SandboxError {
  const spawnError = exit?.error;
  const detail =
    spawnError !== undefined
      ? `could not be started: ${errorMessage(spawnError)}`
      : `exited before it was ready (${describeExit(exit)})`;
  return new SandboxError(`The ${sandbox} sandbox's Python runtime ${detail}.${stderr.suffix()}`, {
    sandbox,
    code: 'startup-failed',
    cause: spawnError,
  });
}
