import { encodeFrame } from './frame-codec.js';
import type { FrameTransport } from './frame-transport.js';

/**
 * Writes frames to a transport one after the other, in order, honouring its backpressure.
 *
 * Bounded: the frames the runtime itself causes (answers to its host calls, sent with `bounded`)
 * may not queue more than `maxQueuedBytes` unwritten. A runtime that stops reading its input while
 * it keeps making host calls would otherwise make the host queue answers forever; past the bound
 * `onOverflow` is called once and nothing more is queued. The host's own requests (one at a time)
 * are not counted.
 */
export class FrameWriter {
  readonly #transport: FrameTransport;
  readonly #maxQueuedBytes: number;
  readonly #onWriteError: (error: unknown) => void;
  readonly #onOverflow: (queuedBytes: number) => void;
  #chain: Promise<void> = Promise.resolve();
  #queuedBytes = 0;
  #overflowed = false;

  constructor(options: {
    readonly transport: FrameTransport;
    readonly maxQueuedBytes: number;
    /** A write failed (usually: the process died). */
    readonly onWriteError: (error: unknown) => void;
    /** The queue went over `maxQueuedBytes`. */
    readonly onOverflow: (queuedBytes: number) => void;
  }) {
    this.#transport = options.transport;
    this.#maxQueuedBytes = options.maxQueuedBytes;
    this.#onWriteError = options.onWriteError;
    this.#onOverflow = options.onOverflow;
  }

  /** Bytes of bounded frames queued and not written yet. */
  get queuedBytes(): number {
    return this.#queuedBytes;
  }

  /**
   * Queues one frame. Throws synchronously when the header is not JSON-serialisable; drops the
   * frame (after calling `onOverflow` once) when the queue is over its bound.
   *
   * @param bounded count the frame against `maxQueuedBytes` (frames the runtime causes).
   */
  send(header: Readonly<Record<string, unknown>>, attachment?: Uint8Array, bounded = false): void {
    const chunks = encodeFrame(header, attachment);
    if (this.#overflowed) return;
    const counted = bounded ? chunks.reduce((sum, chunk) => sum + chunk.length, 0) : 0;
    this.#queuedBytes += counted;
    if (this.#queuedBytes > this.#maxQueuedBytes) {
      this.#overflowed = true;
      this.#onOverflow(this.#queuedBytes);
      return;
    }
    const transport = this.#transport;
    this.#chain = this.#chain
      .then(async () => {
        try {
          for (const chunk of chunks) await transport.write(chunk);
        } finally {
          this.#queuedBytes -= counted;
        }
      })
      .catch((error: unknown) => this.#onWriteError(error));
  }
}
