/**
 * Test helpers: scripted AI SDK models (MockLanguageModelV4 from `ai/test`) and a scripted
 * sandbox that runs no Python (its "code" is dispatched to a JS handler), tracking sessions.
 */
import { APICallError, type LanguageModelV4CallOptions, type LanguageModelV4StreamPart, type LanguageModelV4Usage } from '@ai-sdk/provider';
import type {
  ContextInfo,
  ContextPayload,
  CreateSessionOptions,
  ExecutionResult,
  HostBridge,
  SandboxCapabilities,
  SandboxProviderV1,
  SandboxSessionV1,
} from '@rlms/core';
import { MockLanguageModelV4, convertArrayToReadableStream } from 'ai/test';
import { decodeContextPayload } from '@rlms/core/sandbox';

/** A V4 usage object with the given counts (others undefined). */
export function v4Usage(
  input: number | undefined,
  output: number | undefined,
  extra: { cacheRead?: number; reasoning?: number } = {},
): LanguageModelV4Usage {
  return {
    inputTokens: {
      total: input,
      noCache: input === undefined ? undefined : input - (extra.cacheRead ?? 0),
      cacheRead: extra.cacheRead,
      cacheWrite: undefined,
    },
    outputTokens: {
      total: output,
      text: output === undefined ? undefined : output - (extra.reasoning ?? 0),
      reasoning: extra.reasoning,
    },
  };
}

/** Resolves after `ms`, or rejects with an AbortError when `signal` fires first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abortError = () => Object.assign(new Error('This operation was aborted'), { name: 'AbortError' });
    if (signal?.aborted) return reject(abortError());
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError());
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export interface LanguageModelScript {
  /** Reply texts in order; or a function of the call's prompt. Runs out loudly. */
  readonly replies: readonly string[] | ((options: LanguageModelV4CallOptions, index: number) => string);
  readonly delayMs?: number;
  /** Every call fails with an APICallError carrying this message. */
  readonly error?: string;
  /** Usage to report per call. Default: chars / 4 of prompt and reply. */
  readonly usage?: (prompt: string, reply: string) => LanguageModelV4Usage;
  readonly modelId?: string;
  /** When true, the model ignores its abort signal (to test the adapter's own abort race). */
  readonly ignoreAbort?: boolean;
}

/** The prompt of a call as text (all text parts joined). */
export function promptText(options: LanguageModelV4CallOptions): string {
  return options.prompt
    .map((message) =>
      typeof message.content === 'string'
        ? message.content
        : message.content.map((part) => ('text' in part && typeof part.text === 'string' ? part.text : '')).join(''),
    )
    .join('\n');
}

/** A MockLanguageModelV4 following a script, honouring abort and delays, for generate and stream. */
export function scriptedLanguageModel(script: LanguageModelScript): MockLanguageModelV4 {
  let calls = 0;
  const next = async (options: LanguageModelV4CallOptions) => {
    const index = calls++;
    const signal = script.ignoreAbort ? undefined : options.abortSignal;
    if (script.delayMs !== undefined) await delay(script.delayMs, signal);
    if (signal?.aborted) await delay(0, signal);
    if (script.error !== undefined) {
      throw new APICallError({ message: script.error, url: 'https://api.example.test/v1', requestBodyValues: {}, statusCode: 400, isRetryable: false });
    }
    const reply = typeof script.replies === 'function' ? script.replies(options, index) : script.replies[index];
    if (reply === undefined) throw new Error(`scriptedLanguageModel: no reply left for call #${index + 1}`);
    const usage = script.usage?.(promptText(options), reply) ?? v4Usage(Math.ceil(promptText(options).length / 4), Math.ceil(reply.length / 4));
    return { reply, usage };
  };
  return new MockLanguageModelV4({
    provider: 'mock-provider',
    modelId: script.modelId ?? 'mock-model-id',
    doGenerate: async (options) => {
      const { reply, usage } = await next(options);
      return {
        content: [{ type: 'text', text: reply }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage,
        response: { modelId: `${script.modelId ?? 'mock-model-id'}-2025` },
        warnings: [],
      };
    },
    doStream: async (options) => {
      const { reply, usage } = await next(options);
      const words = reply.split(/(?<= )/);
      const parts: LanguageModelV4StreamPart[] = [
        { type: 'stream-start', warnings: [] },
        { type: 'response-metadata', modelId: `${script.modelId ?? 'mock-model-id'}-2025` },
        { type: 'text-start', id: 't' },
        ...words.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
        { type: 'text-end', id: 't' },
        { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage },
      ];
      return { stream: convertArrayToReadableStream(parts) };
    },
  });
}

/** What a scripted "cell" sees. */
export interface ScriptedCell {
  readonly code: string;
  readonly host: HostBridge;
  readonly context: unknown;
  readonly signal: AbortSignal | undefined;
}

/** Runs a cell: returns what the execution produced (stdout, final…). */
export type CellHandler = (cell: ScriptedCell) => Partial<ExecutionResult> | Promise<Partial<ExecutionResult>>;


/**
 * A sandbox provider for unit tests: no Python; each `execute` calls `handler`. Counts sessions
 * created and destroyed so tests can check that every session is freed.
 */
export class ScriptedSandbox implements SandboxProviderV1 {
  readonly specificationVersion = 'rlms-sandbox-v1' as const;
  readonly name = 'scripted';
  readonly capabilities: SandboxCapabilities = {
    isolation: 'none',
    network: false,
    nativePackages: false,
    subprocess: false,
    interrupt: false,
    threads: true,
  };
  created = 0;
  destroyed = 0;
  readonly contexts: unknown[] = [];

  constructor(private readonly handler: CellHandler) {}

  get live(): number {
    return this.created - this.destroyed;
  }

  async createSession(options: CreateSessionOptions): Promise<SandboxSessionV1> {
    this.created++;
    let context: unknown;
    let destroyed = false;
    return {
      id: `scripted-${this.created}`,
      loadContext: async (payload: ContextPayload): Promise<ContextInfo> => {
        context = decodeContextPayload(payload);
        this.contexts.push(context);
        const length = typeof context === 'string' ? context.length : Array.isArray(context) ? context.length : Object.keys(context as object).length;
        return { type: typeof context === 'string' ? 'str' : Array.isArray(context) ? 'list' : 'dict', length, bytes: payload.bytes.byteLength };
      },
      execute: async (code, executeOptions) => {
        const started = Date.now();
        const result = await this.handler({ code, host: options.host, context, signal: executeOptions?.abortSignal });
        return { stdout: '', stderr: '', ...result, durationMs: Date.now() - started };
      },
      destroy: async () => {
        if (destroyed) return;
        destroyed = true;
        this.destroyed++;
      },
    };
  }
}

/** A root-model reply that runs one cell. */
export function repl(code: string): string {
  return `\`\`\`repl\n${code}\n\`\`\``;
}

