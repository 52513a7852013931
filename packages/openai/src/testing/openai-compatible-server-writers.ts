/**
 * Writes model replies of the test server to an HTTP response: plain JSON, SSE streams, and the
 * faults that need a started reply (malformed JSON, truncated bodies and streams).
 */
import type { ServerResponse } from 'node:http';
import type { OpenAICompatibleApi, ServerChatMessage } from './openai-compatible-server-types.js';
import {
  chatCompletion,
  chatCompletionChunks,
  responseObject,
  responseStreamEvents,
  splitIntoPieces,
  type ChatCompletionIdentity,
  type ResolvedUsage,
  type ResponseIdentity,
} from './openai-wire-format.js';

/** Everything needed to write one model reply. */
export interface ReplyPlan {
  readonly api: OpenAICompatibleApi;
  readonly identity: ResponseIdentity;
  readonly messages: readonly ServerChatMessage[];
  readonly text: string;
  readonly finishReason: string;
  /** `undefined` when the server does not report usage. */
  readonly usage: ResolvedUsage | undefined;
  readonly stream: boolean;
  /** Chat Completions: `stream_options.include_usage` was true. */
  readonly includeUsage: boolean;
  readonly chunkDelayMs: number;
}

/** How the reply ends. */
export type ReplyEnding =
  | { readonly kind: 'complete' }
  | { readonly kind: 'malformed-json' }
  | { readonly kind: 'truncated'; readonly afterChunks: number };

/** Sleeps, waking early (resolving `false`) when `signal` aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Sends a JSON body with the given status. */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

function write(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) {
      resolve();
      return;
    }
    res.write(data, () => resolve());
  });
}

/**
 * Writes one reply as planned. `signal` aborts when the client goes away or the server closes;
 * writing then stops. Resolves when done (or cut).
 */
export async function writeReply(
  res: ServerResponse,
  plan: ReplyPlan,
  ending: ReplyEnding,
  signal: AbortSignal,
): Promise<void> {
  if (!plan.stream) {
    writePlainReply(res, plan, ending);
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
  });
  const events = plan.api === 'chat' ? chatEvents(plan) : responsesEvents(plan);
  let contentChunks = 0;
  for (const [index, event] of events.entries()) {
    if (signal.aborted || res.destroyed) return;
    if (ending.kind === 'malformed-json' && index === 1) {
      await write(res, 'data: {"id": "broken", "choices": [{"delta": {"content": "unterminated\n\n');
      res.end();
      return;
    }
    if (ending.kind === 'truncated' && event.content && contentChunks >= ending.afterChunks) {
      res.socket?.destroy();
      return;
    }
    if (event.content) {
      contentChunks += 1;
      if (!(await sleep(plan.chunkDelayMs, signal))) return;
    }
    await write(res, event.data);
  }
  if (ending.kind === 'truncated') {
    // Fewer content chunks than `afterChunks`: cut before the end anyway.
    res.socket?.destroy();
    return;
  }
  if (plan.api === 'chat') await write(res, 'data: [DONE]\n\n');
  res.end();
}

function writePlainReply(res: ServerResponse, plan: ReplyPlan, ending: ReplyEnding): void {
  if (ending.kind === 'malformed-json') {
    const broken = '{"id": "broken", "object": "chat.completion", "choices": [';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(broken) });
    res.end(broken);
    return;
  }
  const body =
    plan.api === 'chat'
      ? chatCompletion(plan.identity, plan.text, plan.finishReason, plan.usage)
      : responseObject(plan.identity, plan.text, plan.finishReason, plan.usage, 'final');
  const text = JSON.stringify(body);
  if (ending.kind === 'truncated') {
    const buffer = Buffer.from(text);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': buffer.length });
    res.write(buffer.subarray(0, Math.floor(buffer.length / 2)), () => res.socket?.destroy());
    return;
  }
  sendJson(res, 200, body);
}

interface SseEvent {
  readonly data: string;
  /** True for events that carry a piece of the reply text. */
  readonly content: boolean;
}

function chatEvents(plan: ReplyPlan): SseEvent[] {
  const identity: ChatCompletionIdentity = plan.identity;
  const pieces = splitIntoPieces(plan.text);
  const chunks = chatCompletionChunks(identity, pieces, plan.finishReason, plan.usage, plan.includeUsage);
  return chunks.map((chunk, index) => ({
    data: `data: ${JSON.stringify(chunk)}\n\n`,
    content: index >= 1 && index <= pieces.length,
  }));
}

function responsesEvents(plan: ReplyPlan): SseEvent[] {
  const pieces = splitIntoPieces(plan.text);
  return responseStreamEvents(plan.identity, pieces, plan.finishReason, plan.usage).map((event, index) => ({
    data: `event: ${event.type}\ndata: ${JSON.stringify({ ...event, sequence_number: index })}\n\n`,
    content: event.type === 'response.output_text.delta',
  }));
}
