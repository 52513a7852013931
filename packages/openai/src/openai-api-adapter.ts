import type OpenAI from 'openai';
import type { ChatMessage, FinishReason, ModelCallOptions, TokenUsage } from '@rlms/core/spec';
import type { OpenAIReasoningEffort, OpenAISystemMessageRole } from './openai-provider-settings.js';

/** Model facts the request builders need. */
export interface ModelTraits {
  readonly modelId: string;
  readonly reasoning: boolean;
  readonly systemMessageRole: OpenAISystemMessageRole;
  readonly reasoningEffort: OpenAIReasoningEffort | undefined;
  readonly extraBody: Readonly<Record<string, unknown>> | undefined;
}

/** A request body, plus the stop sequences to apply on the client (not sent to the server). */
export interface RequestPlan {
  readonly body: Record<string, unknown>;
  readonly clientStopSequences: readonly string[];
}

/** The parts of a reply the provider reports. */
export interface ReplySummary {
  readonly usage: TokenUsage;
  readonly finishReason: FinishReason;
  readonly responseModelId: string | undefined;
}

/** Folds the events of one stream. */
export interface StreamFolder {
  /** Takes one stream event; returns its text delta ('' for none). Throws on error events. */
  accept(event: unknown): string;
  /** The summary once the stream ended, or `undefined` when it ended before the model finished. */
  end(): ReplySummary | undefined;
}

/** One OpenAI endpoint (Chat Completions or Responses). */
export interface OpenAIApiAdapter {
  readonly api: 'chat' | 'responses';
  plan(options: ModelCallOptions, stream: boolean): RequestPlan;
  /** Sends the request with the SDK; resolves to the parsed body, or an SDK `Stream` when streaming. */
  send(client: OpenAI, body: Record<string, unknown>, requestOptions: OpenAI.RequestOptions): Promise<unknown>;
  /** Reads a non-streamed body. Throws `ResponseShapeError` when it is not a reply. */
  parse(raw: unknown): ReplySummary & { readonly text: string };
  streamFolder(): StreamFolder;
}

/** Maps a `system` message to the model's system role. */
export function roleOf(message: ChatMessage, traits: ModelTraits): string {
  return message.role === 'system' ? traits.systemMessageRole : message.role;
}

/** Copies finite non-negative integer token counts into a `TokenUsage`, leaving absent fields out. */
export function tokenUsage(fields: { [K in keyof TokenUsage]: unknown }): TokenUsage {
  const usage: Record<string, number> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'number' && Number.isInteger(value) && value >= 0) usage[key] = value;
  }
  return usage as TokenUsage;
}

/** Whether a value is a non-null object (for shape checks on server responses). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
