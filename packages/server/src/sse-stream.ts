import type { ServerResponse } from 'node:http';

/**
 * Server-sent events on a response, in the shape OpenAI clients parse: `data: <json>` events, comment
 * lines (`: …`, ignored by every SSE parser) for progress and keep-alive, and `data: [DONE]` at the end.
 */
export class SseStream {
  readonly #res: ServerResponse;
  readonly #keepAliveMs: number;
  #timer: NodeJS.Timeout | undefined;
  #lastWrite = Date.now();

  constructor(res: ServerResponse, keepAliveMs: number) {
    this.#res = res;
    this.#keepAliveMs = keepAliveMs;
  }

  /** True while events can still be written. */
  get open(): boolean {
    return !this.#res.destroyed && !this.#res.writableEnded;
  }

  /** Sends the headers and starts keep-alive comments. */
  start(): void {
    this.#res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    this.#res.flushHeaders();
    this.#timer = setInterval(() => {
      if (Date.now() - this.#lastWrite >= this.#keepAliveMs) this.comment('keep-alive');
    }, Math.max(250, Math.floor(this.#keepAliveMs / 2)));
    this.#timer.unref();
  }

  #write(text: string): void {
    if (!this.open) return;
    this.#lastWrite = Date.now();
    this.#res.write(text);
  }

  /** One `data:` event with a JSON payload. */
  data(payload: unknown): void {
    this.#write(`data: ${JSON.stringify(payload)}\n\n`);
  }

  /** One comment line (single line: newlines are replaced). */
  comment(text: string): void {
    this.#write(`: ${text.replace(/[\r\n]+/g, ' ')}\n\n`);
  }

  /** Ends the stream, after `data: [DONE]` unless `done` is false (an error event ends it without). */
  end(done = true): void {
    this.#stopTimer();
    if (!this.open) return;
    if (done) this.#res.write('data: [DONE]\n\n');
    this.#res.end();
  }

  /** Stops the keep-alive timer without writing (the client is gone). */
  dispose(): void {
    this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
