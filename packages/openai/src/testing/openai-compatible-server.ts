/**
 * A local OpenAI-compatible HTTP server for tests, benchmarks and examples. Zero dependencies
 * (node:http), real HTTP on 127.0.0.1 with an OS-chosen port.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type {
  OpenAICompatibleApi,
  OpenAICompatibleServer,
  OpenAICompatibleServerOptions,
  RecordedServerRequest,
  ServerFault,
  ServerFaultRule,
  ServerReply,
  ServerReplyFunction,
  ServerReplyRequest,
} from './openai-compatible-server-types.js';
import { sendJson, sleep, writeReply, type ReplyEnding } from './openai-compatible-server-writers.js';
import { chatMessagesOf, errorBody, modelList, resolveUsage, responsesMessagesOf } from './openai-wire-format.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const MODEL_PATHS: Readonly<Record<string, OpenAICompatibleApi>> = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'responses',
};

/**
 * Starts a local OpenAI-compatible server on `127.0.0.1` (port chosen by the OS).
 *
 * Endpoints: `POST /v1/chat/completions` and `POST /v1/responses` (plain JSON, or SSE when the
 * body has `stream: true`; chat streams end with a usage chunk when
 * `stream_options.include_usage` is set, then `data: [DONE]`), `GET /v1/models` and
 * `GET /v1/models/{id}`. Replies are scripted (a list consumed in order, or a function of the
 * request); faults can be queued per request or matched by predicate. Usage is deterministic:
 * `ceil(characters / 4)` tokens unless a reply fixes it.
 *
 * @example
 * ```ts
 * const server = await startOpenAICompatibleServer({ replies: ['Hello!'] });
 * const client = new OpenAI({ baseURL: server.baseURL, apiKey: 'test' });
 * // ... after the test:
 * await server.close();
 * ```
 *
 * @example Script a whole RLM conversation: root calls and sub-calls differ by system prompt.
 * ```ts
 * const server = await startOpenAICompatibleServer({
 *   replies: ({ systemPrompt, lastUserMessage }) =>
 *     systemPrompt?.includes('REPL') ? '```repl\nFINAL(llm_query("hi"))\n```' : `sub: ${lastUserMessage}`,
 * });
 * ```
 *
 * @returns the running server; always `close()` it (it destroys open sockets, hung ones too).
 */
export async function startOpenAICompatibleServer(
  options: OpenAICompatibleServerOptions = {},
): Promise<OpenAICompatibleServer> {
  const state = new ServerState(options);
  const sockets = new Set<Socket>();
  const closing = new AbortController();
  const server = createServer((req, res) => {
    state.handle(req, res, closing.signal).catch((error: unknown) => {
      state.fail(`internal error while answering ${req.method} ${req.url}: ${String(error)}`);
      sendJson(res, 500, errorBody('rlms test server: internal error', 'server_error', 'internal_error'));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closed ??= new Promise<void>((resolve) => {
      closing.abort();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  };
  return {
    baseURL: `http://127.0.0.1:${port}/v1`,
    port,
    get requests() {
      return [...state.requests];
    },
    get modelRequests() {
      return state.requests.filter((request) => request.api !== undefined);
    },
    get failures() {
      return [...state.failures];
    },
    setReplies: (replies) => state.setReplies(replies),
    queueFaults: (...faults) => state.faultQueue.push(...faults),
    addFaultRule: (rule) => state.faultRules.push({ rule, used: 0 }),
    reset: (resetOptions) => state.reset(resetOptions),
    assertNoFailures: () => {
      if (state.failures.length > 0) {
        throw new Error(`The OpenAI-compatible test server recorded failures:\n- ${state.failures.join('\n- ')}`);
      }
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

class ServerState {
  requests: Mutable<RecordedServerRequest>[] = [];
  failures: string[] = [];
  faultQueue: (ServerFault | null)[] = [];
  faultRules: { rule: ServerFaultRule; used: number }[] = [];
  private replyList: ServerReply[] = [];
  private replyFunction: ServerReplyFunction | undefined;
  private modelRequestCount = 0;

  constructor(private readonly options: OpenAICompatibleServerOptions) {
    this.reset({ replies: options.replies ?? [], faults: options.faults ?? [], faultRules: options.faultRules ?? [] });
  }

  setReplies(replies: readonly ServerReply[] | ServerReplyFunction): void {
    if (typeof replies === 'function') {
      this.replyFunction = replies;
      this.replyList = [];
    } else {
      this.replyFunction = undefined;
      this.replyList = [...replies];
    }
  }

  reset(options?: Pick<OpenAICompatibleServerOptions, 'replies' | 'faults' | 'faultRules'>): void {
    this.requests = [];
    this.failures = [];
    this.faultQueue = [...(options?.faults ?? [])];
    this.faultRules = (options?.faultRules ?? []).map((rule) => ({ rule, used: 0 }));
    this.modelRequestCount = 0;
    if (options?.replies !== undefined) this.setReplies(options.replies);
  }

  fail(message: string): void {
    this.failures.push(message);
  }

  async handle(req: IncomingMessage, res: ServerResponse, closing: AbortSignal): Promise<void> {
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname.replace(/\/+$/, '');
    let body: unknown;
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody);
    } catch {
      body = undefined;
    }
    const record: Mutable<RecordedServerRequest> = {
      method: req.method ?? 'GET',
      path,
      headers: req.headers,
      body,
      api: undefined,
      model: undefined,
      messages: undefined,
      stream: false,
      fault: undefined,
      replyText: undefined,
      status: undefined,
      receivedAt: Date.now(),
    };
    this.requests.push(record);
    const reply = (status: number, json: unknown, headers: Record<string, string> = {}): void => {
      record.status = status;
      sendJson(res, status, json, headers);
    };
    const api = record.method === 'POST' ? MODEL_PATHS[path] : undefined;
    if (api !== undefined) describeModelRequest(record, api);
    if (this.options.apiKey !== undefined && req.headers.authorization !== `Bearer ${this.options.apiKey}`) {
      reply(401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
      return;
    }
    if (record.method === 'GET' && path === '/v1/models') {
      reply(200, modelList(this.models(), 1_700_000_000));
      return;
    }
    if (record.method === 'GET' && path.startsWith('/v1/models/')) {
      const id = decodeURIComponent(path.slice('/v1/models/'.length));
      if (this.models().includes(id)) reply(200, { id, object: 'model', created: 1_700_000_000, owned_by: 'rlms-test-server' });
      else reply(404, modelNotFound(id));
      return;
    }
    if (record.method !== 'POST' || api === undefined) {
      this.fail(`unknown route ${record.method} ${path}`);
      reply(404, errorBody(`rlms test server: no route ${record.method} ${path}`, 'invalid_request_error', 'unknown_url'));
      return;
    }
    await this.handleModelRequest(api, req, res, record, rawBody, closing, reply);
  }

  private async handleModelRequest(
    api: OpenAICompatibleApi,
    req: IncomingMessage,
    res: ServerResponse,
    record: Mutable<RecordedServerRequest>,
    rawBody: string,
    closing: AbortSignal,
    reply: (status: number, json: unknown, headers?: Record<string, string>) => void,
  ): Promise<void> {
    const body = record.body;
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      this.fail(`${record.path}: the body is not a JSON object: ${rawBody.slice(0, 200)}`);
      reply(400, errorBody('We could not parse the JSON body of your request.', 'invalid_request_error', null));
      return;
    }
    const fields = body as Record<string, unknown>;
    const messages = api === 'chat' ? chatMessagesOf(fields) : responsesMessagesOf(fields);
    if (typeof fields.model !== 'string' || fields.model === '' || messages === undefined) {
      const missing = typeof fields.model !== 'string' || fields.model === '' ? 'model' : api === 'chat' ? 'messages' : 'input';
      this.fail(`${record.path}: missing required parameter '${missing}'`);
      reply(400, errorBody(`Missing required parameter: '${missing}'.`, 'invalid_request_error', 'missing_required_parameter', missing));
      return;
    }
    const request: ServerReplyRequest = {
      api,
      model: fields.model,
      messages,
      systemPrompt: messages.find((message) => message.role === 'system' || message.role === 'developer')?.content,
      lastUserMessage: messages.findLast((message) => message.role === 'user')?.content,
      stream: record.stream,
      index: this.modelRequestCount++,
      body: fields,
      headers: req.headers,
    };
    const fault = this.nextFault(request);
    record.fault = fault;
    // Aborts when the client disconnects or the server closes: pending waits end, writing stops.
    const gone = AbortSignal.any([closing, disconnectSignal(res)]);
    if (!(await sleep(this.options.latencyMs ?? 0, gone))) return;
    if (this.options.rejectUnknownModels === true && !this.models().includes(fields.model)) {
      reply(404, modelNotFound(fields.model));
      return;
    }
    let ending: ReplyEnding = { kind: 'complete' };
    switch (fault?.type) {
      case undefined:
        break;
      case 'rate-limit': {
        const headers: Record<string, string> = {};
        if (fault.retryAfterMs !== undefined) headers['retry-after-ms'] = String(fault.retryAfterMs);
        if (fault.retryAfterSeconds !== undefined || fault.retryAfterMs === undefined) {
          headers['retry-after'] = String(fault.retryAfterSeconds ?? 1);
        }
        reply(429, errorBody(`Rate limit reached for ${fields.model}. Please try again later.`, 'requests', 'rate_limit_exceeded'), headers);
        return;
      }
      case 'server-error':
        reply(fault.status ?? 500, errorBody(fault.message ?? 'The server had an error while processing your request.', 'server_error', null));
        return;
      case 'unauthorized':
        reply(401, errorBody('Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key'));
        return;
      case 'model-not-found':
        reply(404, modelNotFound(fields.model));
        return;
      case 'http-error':
        reply(fault.status, errorBody(fault.message ?? `HTTP ${fault.status}`, 'invalid_request_error', fault.code ?? null), {
          ...fault.headers,
        });
        return;
      case 'drop-connection':
        req.socket.destroy();
        return;
      case 'hang':
        return; // Never answer; close() destroys the socket.
      case 'slow':
        if (!(await sleep(fault.delayMs, gone))) return;
        break;
      case 'malformed-json':
        ending = { kind: 'malformed-json' };
        break;
      case 'truncated-stream':
        ending = { kind: 'truncated', afterChunks: fault.afterChunks ?? 1 };
        break;
    }
    const scripted = await this.nextReply(request, ending.kind !== 'complete');
    if (scripted.kind === 'error') {
      reply(scripted.status, errorBody(scripted.message, 'invalid_request_error', scripted.code), { 'x-should-retry': 'false' });
      return;
    }
    const { text, details } = scripted;
    record.replyText = text;
    record.status = 200;
    const id = randomUUID().replaceAll('-', '');
    await writeReply(
      res,
      {
        api,
        identity: {
          id: api === 'chat' ? `chatcmpl-${id}` : `resp_${id}`,
          messageId: `msg_${id}`,
          created: Math.floor(Date.now() / 1000),
          model: details?.model ?? fields.model,
          body: fields,
        },
        messages,
        text,
        finishReason: details?.finishReason ?? 'stop',
        usage: this.options.reportUsage === false ? undefined : resolveUsage(messages, text, details?.usage),
        stream: record.stream,
        includeUsage: (fields.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true,
        chunkDelayMs: this.options.streamChunkDelayMs ?? 0,
      },
      ending,
      gone,
    );
  }

  private nextFault(request: ServerReplyRequest): ServerFault | undefined {
    if (this.faultQueue.length > 0) {
      const queued = this.faultQueue.shift();
      if (queued !== null && queued !== undefined) return queued;
      return undefined;
    }
    for (const entry of this.faultRules) {
      if (entry.used >= (entry.rule.times ?? Infinity)) continue;
      if (entry.rule.when(request)) {
        entry.used += 1;
        return entry.rule.fault;
      }
    }
    return undefined;
  }

  /** The next scripted reply. A faulted request (`peek`) does not consume a list entry. */
  private async nextReply(
    request: ServerReplyRequest,
    peek: boolean,
  ): Promise<
    | { kind: 'reply'; text: string; details: Exclude<ServerReply, string> | undefined }
    | { kind: 'error'; status: number; message: string; code: string }
  > {
    let reply: ServerReply | undefined;
    if (this.replyFunction !== undefined) {
      try {
        reply = await this.replyFunction(request);
      } catch (error) {
        const message = `rlms test server: the reply function threw for request #${request.index}: ${error instanceof Error ? error.message : String(error)}`;
        this.fail(message);
        return { kind: 'error', status: 500, message, code: 'reply_function_error' };
      }
    } else {
      reply = peek ? this.replyList[0] : this.replyList.shift();
      if (reply === undefined && peek) reply = '';
      if (reply === undefined) {
        const message = `rlms test server: the scripted replies are exhausted (model request #${request.index}). Script more replies or pass a reply function.`;
        this.fail(message);
        return { kind: 'error', status: 400, message, code: 'script_exhausted' };
      }
    }
    if (typeof reply === 'string') return { kind: 'reply', text: reply, details: undefined };
    if (typeof reply === 'object' && reply !== null && typeof reply.text === 'string') {
      return { kind: 'reply', text: reply.text, details: reply };
    }
    const message = `rlms test server: reply #${request.index} is neither a string nor { text: string }: ${JSON.stringify(reply)}`;
    this.fail(message);
    return { kind: 'error', status: 500, message, code: 'invalid_reply' };
  }

  private models(): readonly string[] {
    return this.options.models ?? ['test-model'];
  }
}

/** Fills the model-request fields of a record, as far as the body allows. */
function describeModelRequest(record: Mutable<RecordedServerRequest>, api: OpenAICompatibleApi): void {
  record.api = api;
  const body = record.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const fields = body as Record<string, unknown>;
  record.model = typeof fields.model === 'string' ? fields.model : undefined;
  record.messages = api === 'chat' ? chatMessagesOf(fields) : responsesMessagesOf(fields);
  record.stream = fields.stream === true;
}

function modelNotFound(model: string): object {
  return errorBody(
    `The model \`${model}\` does not exist or you do not have access to it.`,
    'invalid_request_error',
    'model_not_found',
  );
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

function disconnectSignal(res: ServerResponse): AbortSignal {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  return controller.signal;
}
