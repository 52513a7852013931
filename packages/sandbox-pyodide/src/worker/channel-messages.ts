/**
 * Frames between the host (`PyodideWorkerHandle`) and the sandbox process (`sandbox-process.ts`),
 * carried by `channel-frames.ts` over the process's fd 3. Type-only.
 *
 * Host → sandbox frames are trusted by the sandbox process. Sandbox → host frames are not: model
 * code that escaped into the sandbox's JavaScript could write any bytes to the channel, so the
 * host caps every frame before buffering it and checks each header against these shapes
 * (`sandbox-frame-guard.ts`) before acting on it.
 */

/** Host → sandbox: the first frame; its attachment is the memory snapshot to restore, if any. */
export interface BootFrame {
  readonly type: 'boot';
  readonly runtimeSource: string;
  readonly makeSnapshot: boolean;
  readonly memoryLimitBytes: number;
  readonly jsHeapLimitMiB: number;
  readonly hostPollMs: number;
  readonly maxFrameBytes: number;
  readonly pyodideUrl: string;
  readonly pyodideAsmUrl: string;
  readonly testHookSource?: string;
}

/** Host → sandbox: one request (the `load-context` bytes travel as the attachment). */
export type RequestFrame =
  | { readonly type: 'configure'; readonly id: number; readonly configJson: string; readonly maxFrameBytes: number }
  | { readonly type: 'load-context'; readonly id: number; readonly format: 'text' | 'json' | 'documents'; readonly variable: string }
  | { readonly type: 'execute'; readonly id: number; readonly code: string };

/** Host → sandbox: control frames. `host-reply` carries the reply's UTF-8 JSON as its attachment. */
export type ControlFrame = { readonly type: 'interrupt' } | { readonly type: 'host-reply'; readonly callId: number };

/** Sandbox → host. `ready` may carry the snapshot and `host-call` carries the request as attachments. */
export type SandboxFrame =
  | { readonly type: 'ready'; readonly pythonVersion: string }
  | { readonly type: 'boot-failed'; readonly message: string }
  | {
      readonly type: 'response';
      readonly id: number;
      readonly ok: true;
      readonly json: string;
      readonly rawStdout?: string;
      readonly rawStderr?: string;
    }
  | { readonly type: 'response'; readonly id: number; readonly ok: false; readonly failure: { reason?: 'out-of-memory'; message: string } }
  | { readonly type: 'host-call'; readonly callId: number }
  | { readonly type: 'host-cancel'; readonly callId: number }
  | { readonly type: 'protocol-violation'; readonly message: string }
  /** The Pyodide worker thread died; the sandbox process exits right after. */
  | { readonly type: 'fatal'; readonly reason: 'out-of-memory' | 'crashed'; readonly message: string };
