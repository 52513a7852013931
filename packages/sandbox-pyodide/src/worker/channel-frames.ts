/**
 * Framing of the byte channel between the host and a sandbox process (both directions).
 *
 * One frame = 8-byte prefix (two little-endian uint32: header length, attachment length), the
 * header (UTF-8 JSON of an object), then the attachment (raw bytes, often empty). The decoder
 * checks both lengths against its caps as soon as the prefix arrives, before it buffers a single
 * byte of the frame, and allocates each frame exactly once.
 *
 * Imports nothing but types, so both the host and the sandbox process can load it (see
 * pyodide-worker.ts for why relative imports in this folder name `.ts` files).
 */

/** Bytes of the length prefix. */
export const FRAME_PREFIX_BYTES = 8;
/** Largest length a prefix can state (uint32). */
export const MAX_FRAME_PART_BYTES = 0xffff_ffff;

/** One decoded frame. */
export interface ChannelFrame {
  readonly header: Readonly<Record<string, unknown>>;
  /** Empty when the frame had none. */
  readonly attachment: Uint8Array;
}

/** Caps of a decoder, in bytes. Changeable between chunks (e.g. once a session is attached). */
export interface FrameCaps {
  /** Largest header accepted. */
  header: number;
  /** Largest attachment accepted. */
  attachment: number;
}

/** Why a decoder refused its input; the channel is unusable afterwards. */
export class FrameViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrameViolation';
  }
}

/** Encodes one frame (header object + optional attachment) into the chunks to write. */
export function encodeFrame(header: Readonly<Record<string, unknown>>, attachment?: Uint8Array): Uint8Array[] {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const attachmentLength = attachment?.byteLength ?? 0;
  if (headerBytes.byteLength > MAX_FRAME_PART_BYTES || attachmentLength > MAX_FRAME_PART_BYTES) {
    throw new RangeError(`a channel frame part is limited to ${MAX_FRAME_PART_BYTES} bytes`);
  }
  const prefix = new Uint8Array(FRAME_PREFIX_BYTES + headerBytes.byteLength);
  const view = new DataView(prefix.buffer);
  view.setUint32(0, headerBytes.byteLength, true);
  view.setUint32(4, attachmentLength, true);
  prefix.set(headerBytes, FRAME_PREFIX_BYTES);
  return attachment && attachmentLength > 0 ? [prefix, attachment] : [prefix];
}

/**
 * Incremental decoder. `push(chunk)` returns the frames completed by `chunk`; it throws
 * `FrameViolation` on a length over the caps, a header that is not a JSON object, or after an
 * earlier violation. Memory held: at most one frame in progress (≤ the caps) plus 8 bytes.
 */
export class FrameDecoder {
  readonly caps: FrameCaps;
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private prefix = new Uint8Array(FRAME_PREFIX_BYTES);
  private prefixFill = 0;
  private header: Uint8Array | undefined;
  private headerFill = 0;
  private attachment: Uint8Array | undefined;
  private attachmentFill = 0;
  private parsedHeader: Record<string, unknown> | undefined;
  private broken: FrameViolation | undefined;

  constructor(caps: FrameCaps) {
    this.caps = caps;
  }

  push(chunk: Uint8Array): ChannelFrame[] {
    if (this.broken) throw this.broken;
    try {
      return this.consume(chunk);
    } catch (error) {
      this.broken = error instanceof FrameViolation ? error : new FrameViolation(String(error));
      this.header = this.attachment = undefined;
      throw this.broken;
    }
  }

  private consume(chunk: Uint8Array): ChannelFrame[] {
    const frames: ChannelFrame[] = [];
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.header === undefined) {
        const take = Math.min(FRAME_PREFIX_BYTES - this.prefixFill, chunk.byteLength - at);
        this.prefix.set(chunk.subarray(at, at + take), this.prefixFill);
        this.prefixFill += take;
        at += take;
        if (this.prefixFill < FRAME_PREFIX_BYTES) break;
        this.startFrame();
        continue;
      }
      if (this.parsedHeader === undefined) {
        const take = Math.min(this.header.byteLength - this.headerFill, chunk.byteLength - at);
        this.header.set(chunk.subarray(at, at + take), this.headerFill);
        this.headerFill += take;
        at += take;
        if (this.headerFill < this.header.byteLength) break;
        this.parsedHeader = this.parseHeader(this.header);
      } else if (this.attachment !== undefined) {
        const take = Math.min(this.attachment.byteLength - this.attachmentFill, chunk.byteLength - at);
        this.attachment.set(chunk.subarray(at, at + take), this.attachmentFill);
        this.attachmentFill += take;
        at += take;
      }
      const frame = this.finishIfComplete();
      if (frame) frames.push(frame);
    }
    return frames;
  }

  private startFrame(): void {
    const view = new DataView(this.prefix.buffer);
    const headerLength = view.getUint32(0, true);
    const attachmentLength = view.getUint32(4, true);
    if (headerLength === 0) throw new FrameViolation('a frame with an empty header');
    if (headerLength > this.caps.header) {
      throw new FrameViolation(`a frame header of ${headerLength} bytes, over the ${this.caps.header}-byte limit`);
    }
    if (attachmentLength > this.caps.attachment) {
      throw new FrameViolation(`a frame attachment of ${attachmentLength} bytes, over the ${this.caps.attachment}-byte limit`);
    }
    this.header = new Uint8Array(headerLength);
    this.headerFill = 0;
    this.attachment = attachmentLength > 0 ? new Uint8Array(attachmentLength) : undefined;
    this.attachmentFill = 0;
    this.prefixFill = 0;
  }

  private parseHeader(bytes: Uint8Array): Record<string, unknown> {
    let value: unknown;
    try {
      value = JSON.parse(this.decoder.decode(bytes));
    } catch (error) {
      throw new FrameViolation(`a frame header that is not UTF-8 JSON (${(error as Error).message})`);
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new FrameViolation('a frame header that is not a JSON object');
    }
    return value as Record<string, unknown>;
  }

  private finishIfComplete(): ChannelFrame | undefined {
    if (this.parsedHeader === undefined) return undefined;
    if (this.attachment !== undefined && this.attachmentFill < this.attachment.byteLength) return undefined;
    const frame: ChannelFrame = { header: this.parsedHeader, attachment: this.attachment ?? new Uint8Array(0) };
    this.header = this.attachment = this.parsedHeader = undefined;
    return frame;
  }
}
