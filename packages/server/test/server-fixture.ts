/**
 * Test fixture: an RLM server on 127.0.0.1 (port 0) backed by scripted models (MockModel) and the
 * local Python sandbox, wrapped to count live sandbox sessions.
 */
import { createRLM, type RLM, type RLMEvent, type RLMResult } from '@rlms/core';
import { MockModel, trackSandbox, type MockCall, type TrackingSandbox } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createRLMServer, type ListeningRLMServer, type RLMServer, type RLMServerSettings, type ServerLogEntry } from '../src/index.js';

export const API_KEY = 'sk-test-0123456789';

/** The root model's code: reads the context, makes one sub-call, and answers with what it saw. */
export const ROOT_CODE = [
  '```repl',
  'keys = sorted(context.keys())',
  'total = sum(len(v) for v in context.values())',
  'sub = llm_query("Say OK for " + ",".join(keys))',
  'FINAL(f"docs={keys} chars={total} sub={sub}")',
  '```',
].join('\n');

/** A gate sub-calls can wait on; opening it (or aborting the call) lets them go. */
export class Gate {
  #open = false;
  #waiters: Array<() => void> = [];
  get isOpen(): boolean {
    return this.#open;
  }
  open(): void {
    this.#open = true;
    for (const wake of this.#waiters.splice(0)) wake();
  }
  wait(signal: AbortSignal | undefined): Promise<void> {
    if (this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(Object.assign(new Error('aborted'), { name: 'AbortError' }));
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }
}

export interface Fixture {
  readonly server: RLMServer;
  readonly listening: ListeningRLMServer;
  readonly baseURL: string;
  readonly url: string;
  readonly sandbox: TrackingSandbox;
  readonly root: MockModel;
  readonly sub: MockModel;
  /** Sub-calls wait on it when the fixture was started with `blockSubcalls`. */
  readonly gate: Gate;
  /** Results of every run, in the order they ended. */
  readonly results: RLMResult<unknown>[];
  /** Questions the RLM was asked, in order. */
  readonly questions: string[];
  /** Events of every run, in order. */
  readonly events: RLMEvent[];
  readonly logs: ServerLogEntry[];
  close(): Promise<void>;
}

export interface FixtureOptions {
  readonly blockSubcalls?: boolean;
  readonly rootReply?: (call: MockCall) => string;
  readonly server?: Partial<RLMServerSettings>;
}

/** Starts the server; always `close()` it. */
export async function startFixture(options: FixtureOptions = {}): Promise<Fixture> {
  const gate = new Gate();
  if (options.blockSubcalls !== true) gate.open();
  const root = new MockModel({ modelId: 'root-model', replies: options.rootReply ?? (() => ROOT_CODE) });
  const sub = new MockModel({
    modelId: 'sub-model',
    replies: async (call) => {
      await gate.wait(call.options.abortSignal);
      return { text: 'OK', usage: { inputTokens: 11, outputTokens: 1, totalTokens: 12 } };
    },
  });
  const sandbox = trackSandbox(createLocalSandbox());
  const inner = createRLM({ model: root, subModel: sub, sandbox, maxIterations: 3 });
  const results: RLMResult<unknown>[] = [];
  const questions: string[] = [];
  const events: RLMEvent[] = [];
  // Records each result so tests can compare the HTTP answer with the run's own numbers.
  const rlm: RLM = {
    ...inner,
    query: (async (queryOptions: Parameters<RLM['query']>[0]) => {
      questions.push(queryOptions.question);
      const onEvent = queryOptions.onEvent;
      const result = await inner.query({
        ...queryOptions,
        onEvent: (event: RLMEvent) => {
          events.push(event);
          onEvent?.(event);
        },
      });
      results.push(result);
      return result;
    }) as RLM['query'],
  };
  const logs: ServerLogEntry[] = [];
  const server = createRLMServer({ rlm, apiKeys: [API_KEY], onLog: (entry) => logs.push(entry), ...options.server });
  const listening = await server.listen(0);
  return {
    server,
    listening,
    baseURL: listening.baseURL,
    url: listening.url,
    sandbox,
    root,
    sub,
    gate,
    results,
    questions,
    events,
    logs,
    close: async () => {
      gate.open();
      await server.close({ graceMs: 0 });
    },
  };
}

/** Polls `predicate` every 10 ms until it holds; throws after `timeoutMs` with `what` in the message. */
export async function waitFor(what: string, predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Reads an SSE response body into its raw lines (comments included). */
export async function readSseLines(response: Response): Promise<string[]> {
  const text = await response.text();
  return text.split('\n');
}
