/**
 * A scripted LlamaIndex LLM for tests: a real `ToolCallLLM` subclass from @llamaindex/core whose
 * replies (text and tool calls) follow a script, with OpenAI-shaped `raw` responses (usage included
 * unless turned off), optional delays, and a record of every call.
 */
import {
  ToolCallLLM,
  type ChatMessage,
  type ChatResponse,
  type ChatResponseChunk,
  type LLMChatParamsNonStreaming,
  type LLMChatParamsStreaming,
  type LLMMetadata,
  type ToolCall,
  type ToolCallLLMMessageOptions,
} from '@llamaindex/core/llms';

export interface ScriptedReply {
  readonly text?: string;
  readonly toolCalls?: readonly ToolCall[];
}

export type ScriptedStep = string | ScriptedReply | Error;

export interface ScriptedCall {
  readonly messages: readonly ChatMessage[];
  readonly stream: boolean;
  readonly toolNames: readonly string[];
  readonly additionalChatOptions: object | undefined;
}

export interface ScriptedLLMOptions {
  readonly replies: readonly ScriptedStep[] | ((call: ScriptedCall, index: number) => ScriptedStep);
  readonly model?: string;
  readonly contextWindow?: number;
  /** Report OpenAI-style usage in `raw`. Default true. */
  readonly reportUsage?: boolean;
  /** Wait this long before answering; honours `additionalChatOptions.signal` when given. */
  readonly delayMs?: number;
  /** Streamed replies are cut into this many characters per chunk. Default 5. */
  readonly chunkChars?: number;
  /** Called before each streamed text chunk is yielded (0-based). */
  readonly onChunk?: (index: number) => void;
}

const estimate = (text: string) => Math.max(1, Math.ceil(text.length / 4));

export class ScriptedLLM extends ToolCallLLM {
  supportToolCall = true;
  metadata: LLMMetadata;
  readonly calls: ScriptedCall[] = [];
  /** Streams closed before their end (`return()` called). */
  closedStreams = 0;
  private readonly options: ScriptedLLMOptions;
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(options: ScriptedLLMOptions) {
    super();
    this.options = options;
    this.metadata = {
      model: options.model ?? 'scripted-model',
      temperature: 0,
      topP: 1,
      contextWindow: options.contextWindow ?? 128_000,
      tokenizer: undefined,
      structuredOutput: false,
    };
  }

  /** Clears pending delays (a call whose caller gave up). */
  dispose(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private wait(signal: AbortSignal | undefined): Promise<void> {
    const ms = this.options.delayMs ?? 0;
    if (ms <= 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
      signal?.addEventListener(
        'abort',
        () => {
          clearTimeout(timer);
          this.timers.delete(timer);
          reject(Object.assign(new Error('Request was aborted.'), { name: 'AbortError' }));
        },
        { once: true },
      );
    });
  }

  private next(call: ScriptedCall): ScriptedReply {
    const index = this.calls.length;
    this.calls.push(call);
    const script = this.options.replies;
    let step: ScriptedStep | undefined;
    if (typeof script === 'function') step = script(call, index);
    else step = script[index];
    if (step === undefined) throw new Error(`ScriptedLLM has no reply left for call #${index + 1}`);
    if (step instanceof Error) throw step;
    return typeof step === 'string' ? { text: step } : step;
  }

  private usage(call: ScriptedCall, text: string) {
    const input = call.messages.reduce((sum, message) => sum + estimate(typeof message.content === 'string' ? message.content : ''), 0);
    const output = estimate(text);
    return { prompt_tokens: input, completion_tokens: output, total_tokens: input + output };
  }

  chat(params: LLMChatParamsStreaming<object, ToolCallLLMMessageOptions>): Promise<AsyncIterable<ChatResponseChunk<ToolCallLLMMessageOptions>>>;
  chat(params: LLMChatParamsNonStreaming<object, ToolCallLLMMessageOptions>): Promise<ChatResponse<ToolCallLLMMessageOptions>>;
  async chat(
    params: LLMChatParamsStreaming<object, ToolCallLLMMessageOptions> | LLMChatParamsNonStreaming<object, ToolCallLLMMessageOptions>,
  ): Promise<ChatResponse<ToolCallLLMMessageOptions> | AsyncIterable<ChatResponseChunk<ToolCallLLMMessageOptions>>> {
    const call: ScriptedCall = {
      messages: params.messages.map((message) => ({ ...message })),
      stream: params.stream === true,
      toolNames: (params.tools ?? []).map((tool) => tool.metadata.name),
      additionalChatOptions: params.additionalChatOptions,
    };
    const signal = (params.additionalChatOptions as { signal?: AbortSignal } | undefined)?.signal;
    const reply = this.next(call);
    const text = reply.text ?? '';
    const toolCall = reply.toolCalls === undefined || reply.toolCalls.length === 0 ? {} : { toolCall: [...reply.toolCalls] };
    const reportUsage = this.options.reportUsage ?? true;
    const finish = reply.toolCalls?.length ? 'tool_calls' : 'stop';
    if (params.stream !== true) {
      await this.wait(signal);
      return {
        message: { role: 'assistant', content: text, options: toolCall },
        raw: {
          object: 'chat.completion',
          model: this.metadata.model,
          choices: [{ index: 0, finish_reason: finish, message: { role: 'assistant', content: text } }],
          ...(reportUsage ? { usage: this.usage(call, text) } : {}),
        },
      };
    }
    const size = this.options.chunkChars ?? 5;
    const self = this;
    async function* chunks(): AsyncGenerator<ChatResponseChunk<ToolCallLLMMessageOptions>> {
      let completed = false;
      try {
        await self.wait(signal);
        for (let offset = 0; offset < text.length; offset += size) {
          const delta = text.slice(offset, offset + size);
          self.options.onChunk?.(offset / size);
          yield { delta, raw: { object: 'chat.completion.chunk', model: self.metadata.model, choices: [{ index: 0, delta: { content: delta }, finish_reason: null }] } };
        }
        yield {
          delta: '',
          options: toolCall,
          raw: { object: 'chat.completion.chunk', model: self.metadata.model, choices: [{ index: 0, delta: {}, finish_reason: finish }] },
        };
        if (reportUsage) {
          yield { delta: '', raw: { object: 'chat.completion.chunk', model: self.metadata.model, choices: [], usage: self.usage(call, text) } };
        }
        completed = true;
      } finally {
        if (!completed) self.closedStreams++;
      }
    }
    return chunks();
  }
}
