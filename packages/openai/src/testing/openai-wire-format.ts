/**
 * JSON shapes of the OpenAI API, as the local test server writes them: Chat Completions
 * (plain and streamed chunks), Responses (plain and streamed events), errors, and models.
 */
import type { ServerChatMessage, ServerReplyUsage } from './openai-compatible-server-types.js';

/**
 * Deterministic token estimate used by the test server: `ceil(characters / 4)`.
 * @param text any string
 * @returns a non-negative integer (0 for the empty string)
 */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/** Token counts of one reply, with every estimate filled in. */
export interface ResolvedUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens: number | undefined;
  readonly reasoningTokens: number | undefined;
}

/** Fills in the estimates a scripted reply did not fix. */
export function resolveUsage(
  messages: readonly ServerChatMessage[],
  text: string,
  usage: ServerReplyUsage | undefined,
): ResolvedUsage {
  const reasoningTokens = usage?.reasoningTokens;
  return {
    inputTokens: usage?.inputTokens ?? estimateTokens(messages.map((message) => message.content).join('')),
    outputTokens: usage?.outputTokens ?? estimateTokens(text) + (reasoningTokens ?? 0),
    cachedInputTokens: usage?.cachedInputTokens,
    reasoningTokens,
  };
}

/** Joins OpenAI content (a string or a list of `{ type, text }` parts) into one string. */
function contentToText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) =>
        typeof part === 'object' && part !== null && typeof (part as { text?: unknown }).text === 'string'
          ? (part as { text: string }).text
          : '',
      )
      .join('');
  }
  return '';
}

/** Normalises the messages of a Chat Completions body; `undefined` when `messages` is not a list. */
export function chatMessagesOf(body: Record<string, unknown>): ServerChatMessage[] | undefined {
  if (!Array.isArray(body.messages)) return undefined;
  return body.messages.map((message: unknown) => {
    const record = (typeof message === 'object' && message !== null ? message : {}) as Record<string, unknown>;
    return { role: typeof record.role === 'string' ? record.role : 'user', content: contentToText(record.content) };
  });
}

/** Normalises `instructions` + `input` of a Responses body; `undefined` when `input` is missing. */
export function responsesMessagesOf(body: Record<string, unknown>): ServerChatMessage[] | undefined {
  const messages: ServerChatMessage[] = [];
  if (typeof body.instructions === 'string') messages.push({ role: 'system', content: body.instructions });
  if (typeof body.input === 'string') {
    messages.push({ role: 'user', content: body.input });
  } else if (Array.isArray(body.input)) {
    for (const item of body.input as unknown[]) {
      const record = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
      if (record.type !== undefined && record.type !== 'message') continue;
      messages.push({ role: typeof record.role === 'string' ? record.role : 'user', content: contentToText(record.content) });
    }
  } else {
    return undefined;
  }
  return messages;
}

/** An OpenAI-style error body. */
export function errorBody(message: string, type: string, code: string | null, param: string | null = null): object {
  return { error: { message, type, param, code } };
}

function chatUsage(usage: ResolvedUsage): object {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    ...(usage.cachedInputTokens === undefined ? {} : { prompt_tokens_details: { cached_tokens: usage.cachedInputTokens } }),
    ...(usage.reasoningTokens === undefined
      ? {}
      : { completion_tokens_details: { reasoning_tokens: usage.reasoningTokens } }),
  };
}

/** Common fields of one chat completion (shared by its chunks). */
export interface ChatCompletionIdentity {
  readonly id: string;
  readonly created: number;
  readonly model: string;
}

/** A non-streamed `chat.completion` object. */
export function chatCompletion(
  identity: ChatCompletionIdentity,
  text: string,
  finishReason: string,
  usage: ResolvedUsage | undefined,
): object {
  return {
    id: identity.id,
    object: 'chat.completion',
    created: identity.created,
    model: identity.model,
    system_fingerprint: 'fp_rlms_test',
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: text, refusal: null },
        logprobs: null,
        finish_reason: finishReason,
      },
    ],
    ...(usage === undefined ? {} : { usage: chatUsage(usage) }),
  };
}

/**
 * The chunks of a streamed chat completion, in order: a role chunk, one chunk per text piece, a
 * chunk with `finish_reason`, and (when `includeUsage`) a final chunk with empty `choices` and
 * the usage. Every chunk carries `usage: null` except the last when `includeUsage` is set.
 */
export function chatCompletionChunks(
  identity: ChatCompletionIdentity,
  pieces: readonly string[],
  finishReason: string,
  usage: ResolvedUsage | undefined,
  includeUsage: boolean,
): object[] {
  const chunk = (choices: object[], extra: object = {}): object => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    system_fingerprint: 'fp_rlms_test',
    choices,
    ...(includeUsage ? { usage: null } : {}),
    ...extra,
  });
  const choice = (delta: object, finish: string | null): object => ({
    index: 0,
    delta,
    logprobs: null,
    finish_reason: finish,
  });
  const chunks = [chunk([choice({ role: 'assistant', content: '', refusal: null }, null)])];
  for (const piece of pieces) chunks.push(chunk([choice({ content: piece }, null)]));
  chunks.push(chunk([choice({}, finishReason)]));
  if (includeUsage && usage !== undefined) chunks.push(chunk([], { usage: chatUsage(usage) }));
  return chunks;
}

/** Splits a reply into stream pieces: words with their trailing whitespace. */
export function splitIntoPieces(text: string): string[] {
  if (text === '') return [];
  return text.match(/\s+|\S+\s*/g) ?? [text];
}

function responsesUsage(usage: ResolvedUsage): object {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: { cached_tokens: usage.cachedInputTokens ?? 0 },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/** Fields of one Responses API response. */
export interface ResponseIdentity extends ChatCompletionIdentity {
  readonly messageId: string;
  readonly body: Readonly<Record<string, unknown>>;
}

function outputMessage(identity: ResponseIdentity, text: string, status: string): object {
  return {
    type: 'message',
    id: identity.messageId,
    status,
    role: 'assistant',
    content: text === '' && status === 'in_progress' ? [] : [outputTextPart(text)],
  };
}

function outputTextPart(text: string): object {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/**
 * A `response` object. `state` is `'in_progress'` (no output yet), or the final state.
 * `finishReason` `'length'` → `status: 'incomplete'` with `max_output_tokens`; `'content_filter'`
 * → `incomplete` with `content_filter`.
 */
export function responseObject(
  identity: ResponseIdentity,
  text: string,
  finishReason: string,
  usage: ResolvedUsage | undefined,
  state: 'in_progress' | 'final',
): object {
  const body = identity.body;
  const incompleteReason =
    finishReason === 'length' ? 'max_output_tokens' : finishReason === 'content_filter' ? 'content_filter' : undefined;
  const status = state === 'in_progress' ? 'in_progress' : incompleteReason === undefined ? 'completed' : 'incomplete';
  const output: object[] = [];
  if (state === 'final') {
    if (usage?.reasoningTokens !== undefined && usage.reasoningTokens > 0) {
      output.push({ type: 'reasoning', id: `rs_${identity.messageId.slice(4)}`, summary: [] });
    }
    output.push(outputMessage(identity, text, incompleteReason === undefined ? 'completed' : 'incomplete'));
  }
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.created,
    status,
    error: null,
    incomplete_details: state === 'final' && incompleteReason !== undefined ? { reason: incompleteReason } : null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: typeof body.max_output_tokens === 'number' ? body.max_output_tokens : null,
    model: identity.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: body.store !== false,
    temperature: typeof body.temperature === 'number' ? body.temperature : 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: state === 'final' && usage !== undefined ? responsesUsage(usage) : null,
    metadata: {},
  };
}

/** The events of a streamed Responses API reply, in order, without `sequence_number` (added when sent). */
export function responseStreamEvents(
  identity: ResponseIdentity,
  pieces: readonly string[],
  finishReason: string,
  usage: ResolvedUsage | undefined,
): { type: string; [key: string]: unknown }[] {
  const text = pieces.join('');
  const started = responseObject(identity, '', finishReason, usage, 'in_progress');
  const final = responseObject(identity, text, finishReason, usage, 'final') as { status: string };
  const itemRef = { item_id: identity.messageId, output_index: 0, content_index: 0 };
  const messageStatus = final.status === 'completed' ? 'completed' : 'incomplete';
  return [
    { type: 'response.created', response: started },
    { type: 'response.in_progress', response: started },
    { type: 'response.output_item.added', output_index: 0, item: outputMessage(identity, '', 'in_progress') },
    { type: 'response.content_part.added', ...itemRef, part: outputTextPart('') },
    ...pieces.map((delta) => ({ type: 'response.output_text.delta', ...itemRef, delta, logprobs: [] })),
    { type: 'response.output_text.done', ...itemRef, text, logprobs: [] },
    { type: 'response.content_part.done', ...itemRef, part: outputTextPart(text) },
    { type: 'response.output_item.done', output_index: 0, item: outputMessage(identity, text, messageStatus) },
    { type: final.status === 'completed' ? 'response.completed' : 'response.incomplete', response: final },
  ];
}

/** The body of `GET /v1/models`. */
export function modelList(models: readonly string[], created: number): object {
  return {
    object: 'list',
    data: models.map((id) => ({ id, object: 'model', created, owned_by: 'rlms-test-server' })),
  };
}
