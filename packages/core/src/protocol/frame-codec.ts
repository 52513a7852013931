import { ProtocolError } from '../errors/index.js';

/** One protocol frame: a JSON object header, plus raw bytes when the header has `"attachment": N`. */
export interface DecodedFrame {
  /** The parsed JSON line. Keeps its `attachment` byte count when there is one. */
  readonly header: Readonly<Record<string, unknown>>;
  /** Exactly `header.attachment` bytes, when the frame carries an attachment. */
  readonly attachment?: Uint8Array;
}

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Largest header line accepted, in bytes. Longer lines throw a `ProtocolError` (a runtime that
   * never sends a newline must not exhaust host memory). Default 1 GiB.
   */
  readonly maxHeaderBytes?: number;
  /** Largest attachment accepted, in bytes. Default 4 GiB. */
  readonly maxAttachmentBytes?: number;
  /**
   * Called for a line that is not a JSON object (e.g. something a `sitecustomize` printed before
   * the runtime took over its stdout). When absent such a line throws a `ProtocolError`.
   */
  readonly onInvalidLine?: (line: string, error: Error) => void;
  /** Sandbox name used in `ProtocolError`s. Default `'unknown'`. */
  readonly sandbox?: string;
}

const NEWLINE = 0x0a;
const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/**
 * Encodes one frame as the byte chunks to write, in order: the JSON header line, then the
 * attachment (the same `Uint8Array`, not copied). Headers never contain a raw newline
 * (`JSON.stringify` escapes it); lone surrogates are escaped as `\udXXX`, so the bytes are valid UTF-8.
 *
 * @param header A JSON-serialisable object. Its `attachment` field is set from `attachment`.
 * @throws TypeError when `header` is not JSON-serialisable (BigInt, cycles).
 */
export function encodeFrame(header: Readonly<Record<string, unknown>>, attachment?: Uint8Array): Uint8Array[] {
  if (attachment === undefined) return [textEncoder.encode(`${JSON.stringify(header)}\n`)];
  const line = textEncoder.encode(`${JSON.stringify({ ...header, attachment: attachment.byteLength })}\n`);
  return attachment.byteLength === 0 ? [line] : [line, attachment];
}

/**
 * Incremental decoder of the frame stream: feed it chunks as they arrive (frames may be split
 * anywhere, several frames may share a chunk); it returns the complete frames.
 *
 * Linear in the input: a header split over many chunks is joined once when its newline arrives, and
 * an attachment is copied once into a buffer allocated at its announced size.
 */
export class FrameDecoder {
  readonly #maxHeaderBytes: number;
  readonly #maxAttachmentBytes: number;
  readonly #onInvalidLine: FrameDecoderOptions['onInvalidLine'];
  readonly #sandbox: string;
  #partial: Uint8Array[] = [];
  #partialBytes = 0;
  #attachment: { header: Record<string, unknown>; buffer: Uint8Array; filled: number } | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    this.#maxHeaderBytes = options.maxHeaderBytes ?? 1024 ** 3;
    this.#maxAttachmentBytes = options.maxAttachmentBytes ?? 4 * 1024 ** 3;
    this.#onInvalidLine = options.onInvalidLine;
    this.#sandbox = options.sandbox ?? 'unknown';
  }

  /** Bytes held for a frame that is not complete yet (0 between frames). */
  get bufferedBytes(): number {
    return this.#partialBytes + (this.#attachment?.filled ?? 0);
  }

  /**
   * Consumes one chunk and returns the frames it completed (possibly none).
   * The chunk is not retained: callers may reuse its memory afterwards.
   *
   * @throws ProtocolError on an invalid header (without `onInvalidLine`), a header longer than
   *   `maxHeaderBytes`, or an invalid attachment size.
   */
  push(chunk: Uint8Array): DecodedFrame[] {
    const frames: DecodedFrame[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const pending = this.#attachment;
      if (pending !== undefined) {
        const take = Math.min(pending.buffer.length - pending.filled, chunk.length - offset);
        pending.buffer.set(chunk.subarray(offset, offset + take), pending.filled);
        pending.filled += take;
        offset += take;
        if (pending.filled === pending.buffer.length) {
          this.#attachment = undefined;
          frames.push({ header: pending.header, attachment: pending.buffer });
        }
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, offset);
      if (newline === -1) {
        // Copy explicitly: `Buffer#slice` (Node stream chunks) returns a view, not a copy.
        const rest = new Uint8Array(chunk.length - offset);
        rest.set(chunk.subarray(offset));
        this.#keepPartial(rest);
        break;
      }
      const line = this.#takeLine(chunk.subarray(offset, newline));
      offset = newline + 1;
      const frame = this.#parseHeader(line);
      if (frame !== undefined) frames.push(...frame);
    }
    return frames;
  }

  #keepPartial(bytes: Uint8Array): void {
    this.#partialBytes += bytes.length;
    if (this.#partialBytes > this.#maxHeaderBytes) {
      this.#partial = [];
      this.#partialBytes = 0;
      throw new ProtocolError(`A protocol frame header exceeded ${this.#maxHeaderBytes} bytes without a newline.`, {
        sandbox: this.#sandbox,
      });
    }
    this.#partial.push(bytes);
  }

  #takeLine(end: Uint8Array): Uint8Array {
    if (this.#partial.length === 0) return end;
    const line = new Uint8Array(this.#partialBytes + end.length);
    let at = 0;
    for (const piece of this.#partial) {
      line.set(piece, at);
      at += piece.length;
    }
    line.set(end, at);
    this.#partial = [];
    this.#partialBytes = 0;
    return line;
  }

  /** Returns the frames a header line yields: none (blank/invalid line, attachment pending) or one. */
  #parseHeader(line: Uint8Array): DecodedFrame[] | undefined {
    if (line.length === 0 || (line.length === 1 && line[0] === 0x0d)) return undefined;
    const text = textDecoder.decode(line);
    let header: unknown;
    try {
      header = JSON.parse(text);
    } catch (error) {
      this.#invalid(text, error as Error);
      return undefined;
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) {
      this.#invalid(text, new Error('a frame must be a JSON object'));
      return undefined;
    }
    const record = header as Record<string, unknown>;
    const size = record.attachment;
    if (size === undefined) return [{ header: record }];
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0 || size > this.#maxAttachmentBytes) {
      throw new ProtocolError(`Invalid attachment size ${JSON.stringify(size)} in a protocol frame.`, {
        sandbox: this.#sandbox,
      });
    }
    if (size === 0) return [{ header: record, attachment: new Uint8Array(0) }];
    this.#attachment = { header: record, buffer: new Uint8Array(size), filled: 0 };
    return undefined;
  }

  #invalid(line: string, error: Error): void {
    if (this.#onInvalidLine !== undefined) {
      this.#onInvalidLine(line, error);
      return;
    }
    throw new ProtocolError(`Invalid protocol frame (${error.message}): ${line.slice(0, 200)}`, {
      sandbox: this.#sandbox,
      cause: error,
    });
  }
}
