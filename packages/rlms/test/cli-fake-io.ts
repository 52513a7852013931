import type { CliIO } from '../src/cli/cli-io.js';

/** A `CliIO` for running `main` in-process: collected output, a given environment, signals sent by hand. */
export interface FakeCliIO {
  readonly io: CliIO;
  readonly stdout: string;
  readonly stderr: string;
  /** True while a command listens for SIGINT/SIGTERM. */
  readonly listening: boolean;
  /** Delivers a signal to the command's handler, as the terminal would. */
  signal(name: 'SIGINT' | 'SIGTERM'): void;
}

/** A fake IO with `env` as the whole environment (no key of the host leaks in) and `cwd` as the working folder. */
export function fakeCliIO(env: Record<string, string> = {}, cwd: string = process.cwd()): FakeCliIO {
  let stdout = '';
  let stderr = '';
  const handlers = new Set<(signal: 'SIGINT' | 'SIGTERM') => void>();
  return {
    io: {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      env,
      cwd,
      readStdin: () => Promise.resolve(''),
      onSignal: (handler) => {
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
    },
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    get listening() {
      return handlers.size > 0;
    },
    signal: (name) => {
      for (const handler of [...handlers]) handler(name);
    },
  };
}
