import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { RLMAbortError, type JsonSchema } from '@rlms/core';

/**
 * The worker's code (run with `eval`, so no file has to ship next to the build): imports
 * `validateJsonSchema` from @rlms/core by URL and answers one job at a time.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
import(workerData.coreUrl).then(
  ({ validateJsonSchema }) => {
    parentPort.on('message', ({ schema, value, limits }) => {
      let reply;
      try {
        reply = { issues: validateJsonSchema(schema, value, '', { limits }) };
      } catch (error) {
        reply = { error: String(error && error.message ? error.message : error) };
      }
      parentPort.postMessage(reply);
    });
    parentPort.postMessage({ ready: true });
  },
  (error) => parentPort.postMessage({ ready: false, error: String(error && error.message ? error.message : error) }),
);
`;

/** Settings of a {@link SchemaValidationPool}. */
export interface SchemaValidationPoolOptions {
  /** Time one check may run once its worker has it; then the worker is stopped. */
  readonly timeoutMs: number;
  /** Old-generation heap of each worker, in MiB; a check that needs more ends its worker. */
  readonly heapMiB: number;
  /** Workers kept warm between checks. */
  readonly maxIdle: number;
  /** Limits passed to `validateJsonSchema` inside the worker. */
  readonly limits: Readonly<Record<string, number>>;
  /** Called with what went wrong when a check could not finish (for the server log). */
  readonly onProblem?: (message: string) => void;
}

interface Job {
  readonly schema: JsonSchema;
  readonly value: unknown;
}

/** Where `@rlms/core`'s entry point is, for the worker's `import()`. */
function coreEntryUrl(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('@rlms/core')).href;
}

/**
 * Checks answers against client-supplied JSON Schemas in worker threads, so no check can hold the
 * thread that answers requests: a check that runs past `timeoutMs` (a backtracking `pattern`, a huge
 * answer) has its worker terminated, one that runs out of heap ends only its worker, and an aborted
 * run stops its check at once. Failures become issues for the model (or an abort), never a crash.
 * Workers are started on demand, kept warm up to `maxIdle`, and never keep the process alive.
 */
export class SchemaValidationPool {
  readonly #options: SchemaValidationPoolOptions;
  readonly #idle: Worker[] = [];
  readonly #busy = new Set<Worker>();
  #coreUrl: string | undefined;
  #closed = false;

  constructor(options: SchemaValidationPoolOptions) {
    this.#options = options;
  }

  /** Checks running now. */
  get running(): number {
    return this.#busy.size;
  }

  /**
   * Validates `value` against `schema` off the main thread. Resolves with the issues (empty when
   * valid; one issue saying why when the check could not finish). Rejects with `RLMAbortError` when
   * `signal` aborts, and with an `Error` when no worker can start (e.g. after `close()`).
   */
  async validate(schema: JsonSchema, value: unknown, signal?: AbortSignal): Promise<string[]> {
    if (signal?.aborted) throw new RLMAbortError(undefined, { cause: signal.reason });
    const worker = await this.#take(signal);
    this.#busy.add(worker);
    let reusable = false;
    try {
      const outcome = await this.#run(worker, { schema, value }, signal);
      reusable = outcome.reusable;
      return outcome.issues;
    } finally {
      this.#busy.delete(worker);
      if (reusable && !this.#closed && this.#idle.length < this.#options.maxIdle) {
        worker.unref();
        this.#idle.push(worker);
      } else void worker.terminate();
    }
  }

  /** Stops every worker; later checks reject. */
  async close(): Promise<void> {
    this.#closed = true;
    const workers = [...this.#idle.splice(0), ...this.#busy];
    await Promise.all(workers.map((worker) => worker.terminate()));
  }

  async #take(signal: AbortSignal | undefined): Promise<Worker> {
    if (this.#closed) throw new Error('The schema validation pool is closed.');
    const idle = this.#idle.pop();
    if (idle !== undefined) {
      idle.ref();
      return idle;
    }
    this.#coreUrl ??= coreEntryUrl();
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { coreUrl: this.#coreUrl },
      // It only validates data; it needs none of the server's environment (keys included).
      env: {},
      resourceLimits: { maxOldGenerationSizeMb: this.#options.heapMiB, maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    });
    // An idle worker that fails must not take the server down with an unhandled 'error' event.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      const index = this.#idle.indexOf(worker);
      if (index >= 0) this.#idle.splice(index, 1);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const onMessage = (message: { ready?: boolean; error?: string }) => {
          done();
          if (message.ready === true) resolve();
          else reject(new Error(`The schema validation worker could not load @rlms/core: ${message.error ?? 'unknown error'}`));
        };
        const onError = (error: Error) => {
          done();
          reject(error);
        };
        const onExit = (code: number) => {
          done();
          reject(new Error(`The schema validation worker exited with code ${code} while starting.`));
        };
        const onAbort = () => {
          done();
          reject(new RLMAbortError(undefined, { cause: signal?.reason }));
        };
        const done = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
          worker.off('exit', onExit);
          signal?.removeEventListener('abort', onAbort);
        };
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.on('exit', onExit);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } catch (error) {
      void worker.terminate();
      throw error;
    }
    if (this.#closed) {
      void worker.terminate();
      throw new Error('The schema validation pool is closed.');
    }
    return worker;
  }

  #run(worker: Worker, job: Job, signal: AbortSignal | undefined): Promise<{ issues: string[]; reusable: boolean }> {
    const { timeoutMs, onProblem } = this.#options;
    return new Promise((resolve, reject) => {
      const finish = (outcome: { issues: string[]; reusable: boolean } | Error) => {
        clearTimeout(timer);
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
        signal?.removeEventListener('abort', onAbort);
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const unchecked = (why: string) => {
        onProblem?.(why);
        finish({ issues: [`the answer could not be checked against the schema: ${why}; return a smaller or simpler value`], reusable: false });
      };
      const onMessage = (message: { issues?: string[]; error?: string }) => {
        if (Array.isArray(message.issues)) finish({ issues: message.issues, reusable: true });
        else unchecked(message.error ?? 'the check failed');
      };
      const onError = (error: Error) => {
        const code = (error as NodeJS.ErrnoException).code;
        unchecked(code === 'ERR_WORKER_OUT_OF_MEMORY' ? `the check needed more than ${this.#options.heapMiB} MiB` : error.message);
      };
      const onExit = (code: number) => unchecked(`the check ended early (exit code ${code})`);
      const onAbort = () => finish(new RLMAbortError(undefined, { cause: signal?.reason }));
      const timer = setTimeout(() => unchecked(`the check took longer than ${timeoutMs.toLocaleString('en-US')} ms`), timeoutMs);
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        worker.postMessage({ ...job, limits: this.#options.limits });
      } catch (error) {
        // A value that cannot be cloned (not JSON): say so instead of failing the run.
        unchecked(`the answer is not plain JSON (${(error as Error).message})`);
      }
    });
  }
}
