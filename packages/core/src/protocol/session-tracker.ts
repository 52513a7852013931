import type { CreateSessionOptions, SandboxSessionV1 } from '../spec/sandbox-provider-v1.js';
import { createFrameSession } from './create-frame-session.js';
import type { FrameTransport } from './frame-transport.js';

/** One session being created; see {@link SessionTracker.begin}. */
export interface PendingSession {
  /**
   * Hand this to the session's transport as its close hook: the transport calls it once when it is
   * closed (by `destroy()`, or by `createFrameSession` when the session failed to start). The
   * session then stops being tracked; one closed before it started is never tracked.
   */
  readonly closed: () => void;
  /**
   * Starts the frame session over `transport` with the caller's {@link CreateSessionOptions}
   * (host, tools, output and frame limits, abort signal) and tracks it until `closed` is called.
   * Rejects as `createFrameSession` does (the transport is then killed and closed).
   */
  start(sandbox: string, transport: FrameTransport, options: CreateSessionOptions): Promise<SandboxSessionV1>;
}

/**
 * The open sessions of a sandbox provider whose sessions each own a transport (a remote
 * sandbox, a process), for the provider's `liveSessions` and `close()`.
 *
 * @example
 * ```ts
 * const pending = this.#sessions.begin();
 * const transport = await launchRuntime(sandbox, { onClose: pending.closed });
 * return pending.start('e2b', transport, options);
 * // close(): await this.#sessions.destroyAll();
 * ```
 */
export class SessionTracker {
  readonly #live = new Set<SandboxSessionV1>();

  /** Sessions started and not closed yet. */
  get size(): number {
    return this.#live.size;
  }

  /** Begins tracking one session: see {@link PendingSession}. */
  begin(): PendingSession {
    let session: SandboxSessionV1 | undefined;
    let closed = false;
    return {
      closed: () => {
        closed = true;
        if (session !== undefined) this.#live.delete(session);
      },
      start: async (sandbox, transport, options) => {
        session = await createFrameSession({
          sandbox,
          transport,
          host: options.host,
          ...(options.tools === undefined ? {} : { tools: options.tools }),
          ...(options.maxOutputChars === undefined ? {} : { maxOutputChars: options.maxOutputChars }),
          ...(options.maxFrameBytes === undefined ? {} : { maxFrameBytes: options.maxFrameBytes }),
          ...(options.abortSignal === undefined ? {} : { abortSignal: options.abortSignal }),
        });
        if (!closed) this.#live.add(session);
        return session;
      },
    };
  }

  /** Destroys every session still open (each `destroy()` is idempotent). Resolves when all are. */
  async destroyAll(): Promise<void> {
    await Promise.all([...this.#live].map((session) => session.destroy()));
  }
}
