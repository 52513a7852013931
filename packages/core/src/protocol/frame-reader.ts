import { ProtocolError } from '../errors/index.js';
import { FrameDecoder, type DecodedFrame } from './frame-codec.js';
import { parseRuntimeFrame } from './runtime-frame.js';
import type { RuntimeFrame } from './wire-types.js';

/** What a {@link FrameReader} reports. */
export interface FrameReaderHandlers {
  /** True until the runtime's `ready` frame: lines before it are noise, not protocol errors. */
  isStarting(): boolean;
  /** A checked frame, with its size (header line + attachment) in bytes. */
  onFrame(frame: RuntimeFrame, bytes: number): void;
  /** Text that came before `ready` (e.g. a `sitecustomize` printed on stdout): diagnostics only. */
  onNoise(text: string): void;
  /** The runtime broke the protocol (over the frame cap, malformed frame): kill it. Reported once. */
  onProtocolError(error: ProtocolError): void;
}

/**
 * The runtime's stdout, turned into checked frames: bounded by `maxFrameBytes` while decoding (see
 * `FrameDecoder`), then validated (see `parseRuntimeFrame`). After the first protocol error it
 * reads nothing more.
 */
export class FrameReader {
  readonly #sandbox: string;
  readonly #handlers: FrameReaderHandlers;
  readonly #decoder: FrameDecoder;
  #failed = false;

  constructor(sandbox: string, maxFrameBytes: number, handlers: FrameReaderHandlers) {
    this.#sandbox = sandbox;
    this.#handlers = handlers;
    this.#decoder = new FrameDecoder({
      sandbox,
      maxFrameBytes,
      onInvalidLine: (line, error) => {
        if (handlers.isStarting()) handlers.onNoise(`${line.slice(0, 2000)}\n`);
        else this.#fail(new ProtocolError(`Invalid frame from the runtime (${error.message}): ${line.slice(0, 200)}`, { sandbox }));
      },
    });
  }

  /** Feeds bytes from the runtime's stdout. Never throws. */
  push(chunk: Uint8Array): void {
    if (this.#failed) return;
    let frames: DecodedFrame[];
    try {
      frames = this.#decoder.push(chunk);
    } catch (error) {
      this.#fail(error);
      return;
    }
    for (const decoded of frames) {
      if (this.#failed) return;
      if (this.#handlers.isStarting() && decoded.header.type !== 'ready') {
        this.#handlers.onNoise(`[rlms] ignored a frame before ready: ${JSON.stringify(decoded.header).slice(0, 200)}\n`);
        continue;
      }
      let frame: RuntimeFrame;
      try {
        frame = parseRuntimeFrame(decoded, this.#sandbox);
      } catch (error) {
        this.#fail(error);
        return;
      }
      this.#handlers.onFrame(frame, (decoded.headerBytes ?? 0) + (decoded.attachment?.length ?? 0));
    }
  }

  /** Stops reading and reports `error` (as a `ProtocolError`), once. */
  fail(error: unknown): void {
    this.#fail(error);
  }

  #fail(error: unknown): void {
    if (this.#failed) return;
    this.#failed = true;
    this.#handlers.onProtocolError(
      ProtocolError.isInstance(error)
        ? error
        : new ProtocolError(`The ${this.#sandbox} sandbox broke the wire protocol: ${error instanceof Error ? error.message : String(error)}`, {
            sandbox: this.#sandbox,
            cause: error,
          }),
    );
  }
}
