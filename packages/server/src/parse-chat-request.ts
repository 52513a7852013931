import type { JsonSchema } from '@rlms/core';
import { invalidRequest } from './openai-error.js';

/** Roles accepted in `messages`. `developer` is OpenAI's newer name for `system`. */
export type ChatRequestRole = 'system' | 'developer' | 'user' | 'assistant' | 'tool' | 'function';

/** One message of a request, reduced to its text parts. */
export interface ChatTextMessage {
  readonly role: ChatRequestRole;
  readonly name?: string;
  /** Text of each content part, in order (one entry for string content). */
  readonly parts: readonly string[];
}

/** What the request asks the answer to look like. */
export type ChatResponseFormat =
  | { readonly type: 'text' }
  | { readonly type: 'json_object' }
  | { readonly type: 'json_schema'; readonly name?: string; readonly schema: JsonSchema };

/** A validated `POST /v1/chat/completions` body: the parts the server uses. */
export interface ChatCompletionRequest {
  readonly model: string | undefined;
  readonly messages: readonly ChatTextMessage[];
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly responseFormat: ChatResponseFormat;
}

const ROLES: ReadonlySet<string> = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function contentParts(content: unknown, param: string): string[] {
  if (content === null || content === undefined) return [];
  if (typeof content === 'string') return [content];
  if (!Array.isArray(content)) throw invalidRequest(`${param} must be a string or an array of content parts.`, param);
  return content.map((part: unknown, index) => {
    const where = `${param}[${index}]`;
    if (typeof part === 'string') return part;
    if (!isObject(part)) throw invalidRequest(`${where} must be a content part object like {"type": "text", "text": "..."}.`, where);
    if (part.type === 'text' && typeof part.text === 'string') return part.text;
    if (part.type === 'refusal' && typeof part.refusal === 'string') return part.refusal;
    throw invalidRequest(
      `${where} has type ${JSON.stringify(part.type)}: rlms serve accepts text only (parts {"type": "text", "text": "..."}); send images, audio and files as text or leave them out.`,
      where,
      'unsupported_content',
    );
  });
}

function toolCallText(toolCalls: unknown): string[] {
  if (!Array.isArray(toolCalls)) return [];
  return toolCalls.map((call: unknown) => {
    const fn = isObject(call) && isObject(call.function) ? call.function : {};
    return `[tool call ${String(fn.name ?? 'unknown')}(${typeof fn.arguments === 'string' ? fn.arguments : ''})]`;
  });
}

function parseMessage(value: unknown, index: number): ChatTextMessage {
  const param = `messages[${index}]`;
  if (!isObject(value)) throw invalidRequest(`${param} must be an object with "role" and "content".`, param);
  const role = value.role;
  if (typeof role !== 'string' || !ROLES.has(role)) {
    throw invalidRequest(`${param}.role must be one of system, developer, user, assistant, tool; got ${JSON.stringify(role)}.`, `${param}.role`);
  }
  const parts = contentParts(value.content, `${param}.content`);
  if (role === 'assistant') parts.push(...toolCallText(value.tool_calls));
  const name = typeof value.name === 'string' && value.name.length > 0 ? value.name : undefined;
  return { role: role as ChatRequestRole, ...(name === undefined ? {} : { name }), parts };
}

function parseResponseFormat(value: unknown): ChatResponseFormat {
  if (value === undefined || value === null) return { type: 'text' };
  if (!isObject(value)) throw invalidRequest('response_format must be an object like {"type": "text"}.', 'response_format');
  if (value.type === 'text') return { type: 'text' };
  if (value.type === 'json_object') return { type: 'json_object' };
  if (value.type === 'json_schema') {
    const spec = value.json_schema;
    if (!isObject(spec) || !isObject(spec.schema)) {
      throw invalidRequest('response_format.json_schema.schema must be a JSON Schema object.', 'response_format.json_schema.schema');
    }
    return { type: 'json_schema', ...(typeof spec.name === 'string' ? { name: spec.name } : {}), schema: spec.schema };
  }
  throw invalidRequest(`response_format.type must be "text", "json_object" or "json_schema"; got ${JSON.stringify(value.type)}.`, 'response_format.type');
}

/**
 * Validates a Chat Completions body. Throws a 400 `HttpError` naming the parameter for missing or
 * malformed `messages`, non-text content, `n` other than 1, and tool definitions (an RLM answers in
 * text; it does not call the client's tools). Sampling parameters (`temperature`, `max_tokens`…) are
 * accepted and ignored: the RLM's own settings apply.
 */
export function parseChatRequest(body: unknown): ChatCompletionRequest {
  if (!isObject(body)) throw invalidRequest('The request body must be a JSON object like {"model": "rlm", "messages": [...]}.');
  if (body.model !== undefined && typeof body.model !== 'string') throw invalidRequest('model must be a string.', 'model');
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw invalidRequest('messages must be a non-empty array of {"role", "content"} objects.', 'messages');
  }
  const messages = body.messages.map(parseMessage);
  if (body.n !== undefined && body.n !== null && body.n !== 1) {
    throw invalidRequest('n must be 1: an RLM run produces one answer per request.', 'n');
  }
  const tools = body.tools ?? body.functions;
  if (Array.isArray(tools) && tools.length > 0 && body.tool_choice !== 'none') {
    throw invalidRequest(
      'tools are not supported: an RLM answers in text and does not call the client\'s tools. Remove "tools" (or set "tool_choice": "none").',
      'tools',
      'unsupported_parameter',
    );
  }
  if (body.stream !== undefined && body.stream !== null && typeof body.stream !== 'boolean') {
    throw invalidRequest('stream must be a boolean.', 'stream');
  }
  const streamOptions = body.stream_options;
  if (streamOptions !== undefined && streamOptions !== null && !isObject(streamOptions)) {
    throw invalidRequest('stream_options must be an object like {"include_usage": true}.', 'stream_options');
  }
  return {
    model: body.model as string | undefined,
    messages,
    stream: body.stream === true,
    includeUsage: isObject(streamOptions) && streamOptions.include_usage === true,
    responseFormat: parseResponseFormat(body.response_format),
  };
}
