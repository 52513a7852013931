import { ContextError } from '@rlms/core';
import type { ProgressStream } from '../progress/progress-reporter.js';

/** Largest standard input read for `--context -` (256 MiB, the loaders' total limit). */
export const MAX_STDIN_BYTES = 256 * 1024 * 1024;

/** Where a command reads and writes: the process's streams, or fakes in tests. */
export interface CliIO {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  readStdin(): Promise<string>;
  /** Registers a handler for SIGINT/SIGTERM; returns a function removing it. */
  onSignal(handler: (signal: 'SIGINT' | 'SIGTERM') => void): () => void;
}

/** The real process streams, environment and signals. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      for await (const chunk of process.stdin) {
        bytes += (chunk as Buffer).byteLength;
        // Bounded before it is buffered: the loaders' total limit applies to stdin too.
        if (bytes > MAX_STDIN_BYTES) {
          process.stdin.destroy();
          throw new ContextError(`Standard input holds more than ${MAX_STDIN_BYTES} bytes: pass a smaller input, or files and folders with --include/--exclude.`, { code: 'context-too-large' });
        }
        chunks.push(chunk as Buffer);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    onSignal: (handler) => {
      const onInt = () => handler('SIGINT');
      const onTerm = () => handler('SIGTERM');
      process.on('SIGINT', onInt);
      process.on('SIGTERM', onTerm);
      return () => {
        process.off('SIGINT', onInt);
        process.off('SIGTERM', onTerm);
      };
    },
  };
}
