import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ModelProviderError, createRLM } from '@rlms/core';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { BaseChatModel, type BaseChatModelParams } from '@langchain/core/language_models/chat_models';
import { AIMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fromLangChain } from '../src/index.js';

/** A local endpoint that fails every request with a 500 and counts the requests. */
let server: Server;
let url = '';
let requests = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    requests++;
    request.resume();
    response.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"overloaded"}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
beforeEach(() => {
  requests = 0;
});

const sandbox = createLocalSandbox();
afterAll(async () => {
  await sandbox.close?.();
  await new Promise((resolve) => server.close(resolve));
});

/**
 * A chat model built as LangChain's integrations are (`ChatOpenAI`, `ChatAnthropic`…): each request
 * goes through `this.caller`, the model's `AsyncCaller`, which retries it up to `maxRetries` times.
 */
class HttpChatModel extends BaseChatModel {
  _llmType(): string {
    return 'http-test';
  }

  async _generate(): Promise<ChatResult> {
    const text = await this.caller.call(async () => {
      const response = await fetch(url, { method: 'POST', body: '{}' });
      const body = await response.text();
      if (!response.ok) throw Object.assign(new Error(`HTTP ${response.status}: ${body}`), { status: response.status });
      return body;
    });
    return { generations: [{ text, message: new AIMessage(text) }] };
  }
}

/** Runs an RLM whose model always fails, with the engine's `maxRetries: 2`; returns the model's last error. */
async function failingRun(fields: BaseChatModelParams) {
  const model = new HttpChatModel(fields);
  const rlm = createRLM({ model: fromLangChain(model, { modelId: 'http' }), sandbox, maxRetries: 2, retryBaseDelayMs: 0 });
  const result = await rlm.query({ context: 'some text', question: 'What is it?' });
  expect(result.status).toBe('error');
  return result.error;
}

describe('one retry owner (fromLangChain inside an RLM run)', () => {
  it('a model with maxRetries 0: the engine retries, 3 requests for maxRetries 2', async () => {
    const error = await failingRun({ maxRetries: 0 });
    expect(requests).toBe(3);
    expect(ModelProviderError.isInstance(error)).toBe(true);
    expect([(error as ModelProviderError).statusCode, (error as ModelProviderError).retryable]).toEqual([500, true]);
  });

  it('a model that retries itself (maxRetries 2): 3 requests in all, not 3 × 3', { timeout: 30_000 }, async () => {
    const error = await failingRun({ maxRetries: 2 });
    expect(requests).toBe(3);
    expect(ModelProviderError.isInstance(error)).toBe(true);
    expect((error as ModelProviderError).message).toContain('HTTP 500');
    expect([(error as ModelProviderError).statusCode, (error as ModelProviderError).retryable]).toEqual([500, false]);
  });
});
