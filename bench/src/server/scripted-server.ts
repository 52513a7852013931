import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startScriptedServerCore, type ScriptedServerSettings, type ServerActivity, type ServerCall } from './scripted-server-core.js';

/** A running scripted model server (in a child process, or in this process). */
export interface ScriptedServer {
  /** Base URL for OpenAI clients, ending in `/v1`. */
  readonly baseURL: string;
  /** Where it runs. */
  readonly mode: 'child-process' | 'in-process';
  /** Pid of the server process (this process when in-process). */
  readonly pid: number;
  /** Model requests answered since the last call; also clears the server's request log. */
  take(): Promise<ServerActivity>;
  /** Stops the server (and its process). Idempotent. */
  close(): Promise<void>;
}

export type { ScriptedServerSettings, ServerActivity, ServerCall };
export { ROOT_DIALECTS, SUBCALL_DIALECTS } from './scripted-server-core.js';

/**
 * Starts the scripted OpenAI-compatible model server. By default in a child Node process (so its
 * CPU and memory are not charged to the measured process); `inProcess: true` (or when the compiled
 * child entry is missing, e.g. under vitest) runs it here.
 */
export async function startScriptedServer(settings: ScriptedServerSettings & { readonly inProcess?: boolean }): Promise<ScriptedServer> {
  const childEntry = fileURLToPath(new URL('./server-child.js', import.meta.url));
  if (settings.inProcess === true || !existsSync(childEntry)) {
    const core = await startScriptedServerCore(settings);
    let closed = false;
    return {
      baseURL: core.baseURL,
      mode: 'in-process',
      pid: process.pid,
      take: async () => core.take(),
      close: async () => {
        if (closed) return;
        closed = true;
        await core.close();
      },
    };
  }
  const child: ChildProcess = fork(childEntry, [JSON.stringify({ latencyMs: settings.latencyMs, chunkChars: settings.chunkChars, ...(settings.policy === undefined ? {} : { policy: settings.policy }) })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const baseURL = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('The scripted model server did not start within 20 s.')), 20_000);
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`The scripted model server exited early (code ${code}).`)));
    child.on('message', (message: { type: string; baseURL?: string }) => {
      if (message.type === 'ready' && message.baseURL !== undefined) {
        clearTimeout(timer);
        resolve(message.baseURL);
      }
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  let closed = false;
  return {
    baseURL,
    mode: 'child-process',
    pid: child.pid ?? 0,
    take: () =>
      new Promise<ServerActivity>((resolve, reject) => {
        const onMessage = (message: { type: string; activity?: ServerActivity }) => {
          if (message.type !== 'activity' || message.activity === undefined) return;
          child.off('message', onMessage);
          resolve(message.activity);
        };
        child.on('message', onMessage);
        if (!child.send({ type: 'take' })) reject(new Error('The scripted model server is gone.'));
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      if (child.connected) child.send({ type: 'close' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
