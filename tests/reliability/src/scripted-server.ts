/**
 * An RLM conversation scripted on the local OpenAI-compatible test server (`@rlms/openai/testing`),
 * so model faults can be injected on the wire and seen through `@rlms/openai`.
 */
import {
  startOpenAICompatibleServer,
  type OpenAICompatibleServer,
  type OpenAICompatibleServerOptions,
  type ServerReplyRequest,
} from '@rlms/openai/testing';
import { createOpenAIProvider, type OpenAIProviderSettings } from '@rlms/openai';

/** The root model's system prompt mentions the REPL; sub-calls have no system prompt. */
export function isRootCall(request: ServerReplyRequest): boolean {
  return request.systemPrompt?.includes('Python REPL') === true;
}

/** The closing "answer now" call after a budget, timeout or iteration stop. */
export function isClosingCall(request: ServerReplyRequest): boolean {
  return isRootCall(request) && request.lastUserMessage?.startsWith('The run must stop now') === true;
}

/** Sub-calls: everything that is not a root call. */
export function isSubCall(request: ServerReplyRequest): boolean {
  return !isRootCall(request);
}

export interface ScriptedServerOptions extends Omit<OpenAICompatibleServerOptions, 'replies'> {
  /** Root replies by iteration (0-based: the number of assistant messages so far); the last one repeats. */
  readonly root: readonly string[];
  /** Reply of the closing call. Default `FINAL(closing answer)`. */
  readonly closing?: string;
  /** Sub-call reply from its prompt. Default `sub:<prompt>`. */
  readonly sub?: (prompt: string) => string;
}

/** Starts the server with the script. Close it with `close()`. */
export function startScriptedServer(options: ScriptedServerOptions): Promise<OpenAICompatibleServer> {
  const { root, closing = 'FINAL(closing answer)', sub = (prompt: string) => `sub:${prompt}`, ...rest } = options;
  return startOpenAICompatibleServer({
    ...rest,
    replies: (request) => {
      if (isClosingCall(request)) return closing;
      if (isRootCall(request)) {
        const iteration = request.messages.filter((message) => message.role === 'assistant').length;
        return root[Math.min(iteration, root.length - 1)] ?? '';
      }
      return sub(request.lastUserMessage ?? '');
    },
  });
}

/** An `@rlms/openai` provider on the server (it makes one request per call: the engine owns retries). */
export function serverModel(server: OpenAICompatibleServer, settings: Partial<OpenAIProviderSettings> = {}) {
  return createOpenAIProvider({
    model: 'test-model',
    baseURL: server.baseURL,
    apiKey: 'test-key',
    timeoutMs: 10_000,
    ...settings,
  });
}
