import { ProtocolError } from '../errors/index.js';

/** One protocol frame: a JSON object header, plus raw bytes when the header has `"attachment": N`. */
export interface DecodedFrame {
  /** The parsed JSON line. Keeps its `attachment` byte count when there is one. */
  readonly header: Readonly<Record<string, unknown>>;
  /** Exactly `header.attachment` bytes, when the frame carries an attachment. */
  readonly attachment?: Uint8Array;
  /** Length of the header line in bytes (set by {@link FrameDecoder}). */
  readonly headerBytes?: number;
}

/** Default of {@link FrameDecoderOptions.maxFrameBytes}: 64 MiB (as `CreateSessionOptions.maxFrameBytes`). */
export const DEFAULT_MAX_FRAME_BYTES = 64 * 1024 * 1024;

/** Options of {@link FrameDecoder}. */
export interface FrameDecoderOptions {
  /**
   * Largest header line and largest attachment accepted, in bytes, each. A longer line (a runtime
   * that never sends a newline) or a larger announced attachment throws a `ProtocolError` before
   * the bytes are buffered. Default {@link DEFAULT_MAX_FRAME_BYTES} (64 MiB).
   */
  readonly maxFrameBytes?: number;
  /** Largest header line accepted, in bytes. Default `maxFrameBytes`. */
  readonly maxHeaderBytes?: number;
  /** Largest attachment accepted, in bytes. Default `maxFrameBytes`. */
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

/** Smallest buffer allocated for an attachment; it then doubles as bytes arrive, up to the announced size. */
const FIRST_ATTACHMENT_BUFFER = 64 * 1024;

interface PendingAttachment {
  readonly header: Record<string, unknown>;
  readonly headerBytes: number;
  /** Announced size (already checked against the cap). */
  readonly size: number;
  buffer: Uint8Array;
  filled: number;
}

/**
 * Incremental decoder of the frame stream: feed it chunks as they arrive (frames may be split
 * anywhere, several frames may share a chunk); it returns the complete frames.
 *
 * Bounded: a header line longer than `maxHeaderBytes` or an attachment announced larger than
 * `maxAttachmentBytes` throws a `ProtocolError` before those bytes are buffered, and an attachment
 * buffer grows (doubling) as its bytes arrive instead of being allocated at the announced size.
 * After a throw the decoder is spent: later `push` calls throw the same error.
 *
 * Linear in the input: a header split over many chunks is joined once when its newline arrives.
 */
export class FrameDecoder {
  readonly #maxHeaderBytes: number;
  readonly #maxAttachmentBytes: number;
  readonly #onInvalidLine: FrameDecoderOptions['onInvalidLine'];
  readonly #sandbox: string;
  #partial: Uint8Array[] = [];
  #partialBytes = 0;
  #attachment: PendingAttachment | undefined;
  #failed: ProtocolError | undefined;

  constructor(options: FrameDecoderOptions = {}) {
    const max = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.#maxHeaderBytes = options.maxHeaderBytes ?? max;
    this.#maxAttachmentBytes = options.maxAttachmentBytes ?? max;
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
   *   `maxHeaderBytes`, or an attachment size that is invalid or over `maxAttachmentBytes`.
   */
  push(chunk: Uint8Array): DecodedFrame[] {
    if (this.#failed !== undefined) throw this.#failed;
    try {
      return this.#push(chunk);
    } catch (error) {
      this.#partial = [];
      this.#partialBytes = 0;
      this.#attachment = undefined;
      if (ProtocolError.isInstance(error)) this.#failed = error;
      throw error;
    }
  }

  #push(chunk: Uint8Array): DecodedFrame[] {
    const frames: DecodedFrame[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const pending = this.#attachment;
      if (pending !== undefined) {
        const take = Math.min(pending.size - pending.filled, chunk.length - offset);
        this.#fill(pending, chunk.subarray(offset, offset + take));
        offset += take;
        if (pending.filled === pending.size) {
          this.#attachment = undefined;
          const bytes = pending.buffer.length === pending.size ? pending.buffer : pending.buffer.subarray(0, pending.size);
          frames.push({ header: pending.header, attachment: bytes, headerBytes: pending.headerBytes });
        }
        continue;
      }
      const newline = chunk.indexOf(NEWLINE, offset);
      const end = newline === -1 ? chunk.length : newline;
      if (this.#partialBytes + (end - offset) > this.#maxHeaderBytes) {
        throw new ProtocolError(
          `A protocol frame header from the sandbox exceeded ${this.#maxHeaderBytes} bytes (the frame size limit, ` +
            'maxFrameBytes): the runtime never sends one this large, so code in the sandbox wrote to the protocol ' +
            'channel directly. The session was killed.',
          { sandbox: this.#sandbox },
        );
      }
      if (newline === -1) {
        // Copy explicitly: `Buffer#slice` (Node stream chunks) returns a view, not a copy.
        const rest = new Uint8Array(chunk.length - offset);
        rest.set(chunk.subarray(offset));
        this.#partial.push(rest);
        this.#partialBytes += rest.length;
        break;
      }
      const line = this.#takeLine(chunk.subarray(offset, newline));
      offset = newline + 1;
      const frame = this.#parseHeader(line);
      if (frame !== undefined) frames.push(...frame);
    }
    return frames;
  }

  /** Appends `bytes` to a pending attachment, growing its buffer (at most to the announced size). */
  #fill(pending: PendingAttachment, bytes: Uint8Array): void {
    const needed = pending.filled + bytes.length;
    if (needed > pending.buffer.length) {
      let capacity = Math.max(pending.buffer.length * 2, FIRST_ATTACHMENT_BUFFER);
      while (capacity < needed) capacity *= 2;
      const grown = new Uint8Array(Math.min(capacity, pending.size));
      grown.set(pending.buffer.subarray(0, pending.filled));
      pending.buffer = grown;
    }
    pending.buffer.set(bytes, pending.filled);
    pending.filled = needed;
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
    const headerBytes = line.length;
    if (size === undefined) return [{ header: record, headerBytes }];
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) {
      throw new ProtocolError(`Invalid attachment size ${JSON.stringify(size)?.slice(0, 100)} in a protocol frame.`, {
        sandbox: this.#sandbox,
      });
    }
    if (size > this.#maxAttachmentBytes) {
      throw new ProtocolError(
        `A protocol frame from the sandbox announced an attachment of ${size} bytes, over the limit of ` +
          `${this.#maxAttachmentBytes} bytes (maxFrameBytes): the runtime never sends one this large, so code in ` +
          'the sandbox wrote to the protocol channel directly. The session was killed.',
        { sandbox: this.#sandbox },
      );
    }
    if (size === 0) return [{ header: record, attachment: new Uint8Array(0), headerBytes }];
    this.#attachment = { header: record, headerBytes, size, buffer: new Uint8Array(0), filled: 0 };
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
