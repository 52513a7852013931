import type { Readable, Writable } from 'node:stream';
import type { FrameTransport, FrameTransportHandlers, TransportExit } from './frame-transport.js';

/** Options of {@link createStreamTransport}. */
export interface StreamTransportOptions {
  /** The runtime's stdin. */
  readonly stdin: Writable;
  /** The runtime's stdout (the protocol stream). */
  readonly stdout: Readable;
  /** The runtime's stderr (diagnostics), when available separately. */
  readonly stderr?: Readable;
  /** Settles once the runtime process has ended. A rejection is reported as `{ error }`. */
  readonly exited: Promise<TransportExit>;
  /** See {@link FrameTransport.kill}. */
  kill(): void | Promise<void>;
  /** See {@link FrameTransport.interrupt}. */
  interrupt?(): void | Promise<void>;
  /** See {@link FrameTransport.uploadContext}. */
  uploadContext?(bytes: Uint8Array, options: { readonly abortSignal?: AbortSignal }): Promise<string>;
  /** See {@link FrameTransport.close}. */
  close?(): void | Promise<void>;
  /**
   * After `exited` settles, wait at most this long (ms) for stdout to end so that its last bytes
   * are delivered before the exit. Default 500.
   */
  readonly drainTimeoutMs?: number;
}

/**
 * Builds a {@link FrameTransport} over Node streams (a child process's stdio, a demultiplexed
 * `docker exec` stream…). Writes honour backpressure; stream errors (EPIPE after the process died)
 * are swallowed and surface as the exit.
 */
export function createStreamTransport(options: StreamTransportOptions): FrameTransport {
  const { stdin, stdout, stderr } = options;
  const noop = (): void => {};
  stdin.on('error', noop);
  stdout.on('error', noop);
  stderr?.on('error', noop);
  let started = false;

  const transport: FrameTransport = {
    start(handlers: FrameTransportHandlers): void {
      if (started) throw new Error('createStreamTransport: start() was called twice.');
      started = true;
      const stdoutEnded = new Promise<void>((resolve) => {
        if (stdout.readableEnded || stdout.destroyed) resolve();
        stdout.once('end', resolve);
        stdout.once('close', resolve);
      });
      stdout.on('data', (chunk: Uint8Array) => handlers.onStdout(chunk));
      stderr?.on('data', (chunk: Uint8Array) => handlers.onStderr(chunk));
      const report = async (exit: TransportExit): Promise<void> => {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          stdoutEnded,
          new Promise<void>((resolve) => {
            timer = setTimeout(resolve, options.drainTimeoutMs ?? 500);
          }),
        ]);
        clearTimeout(timer);
        handlers.onExit(exit);
      };
      options.exited.then(
        (exit) => report(exit),
        (error: unknown) => report({ error }),
      );
    },
    write(chunk: Uint8Array): void | Promise<void> {
      if (stdin.destroyed || stdin.writableEnded) {
        return Promise.reject(new Error('The runtime stdin is closed.'));
      }
      if (stdin.write(chunk)) return undefined;
      return new Promise<void>((resolve) => {
        const done = (): void => {
          stdin.off('drain', done);
          stdin.off('close', done);
          stdin.off('error', done);
          resolve();
        };
        stdin.on('drain', done);
        stdin.on('close', done);
        stdin.on('error', done);
      });
    },
    kill: () => options.kill(),
  };
  if (options.interrupt !== undefined) transport.interrupt = () => options.interrupt?.();
  if (options.uploadContext !== undefined) {
    const upload = options.uploadContext;
    transport.uploadContext = (bytes, uploadOptions) => upload(bytes, uploadOptions);
  }
  if (options.close !== undefined) transport.close = () => options.close?.();
  return transport;
}
