/**
 * Model faults on the wire (429 storms, 500s, dropped connections, hangs, truncated bodies and
 * streams, garbage JSON, missing usage), injected by the local OpenAI-compatible server and seen
 * through `@rlms/openai` by the engine. Nothing may crash or hang; retries are bounded (the
 * engine is the one retry owner: `1 + maxRetries` requests per call, the provider makes one request
 * per attempt and only classifies the failure); the result says what happened.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ModelProviderError, createRLM, type RLMResult } from '@rlms/core';
import type { OpenAICompatibleServer, ServerFault, ServerFaultRule } from '@rlms/openai/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { NO_LEAKS, checkLeaks, leaksOnly, takeBaseline, type Baseline } from '../src/baseline.ts';
import { createProcessMark } from '../src/leak-check.ts';
import { usePrivateTmpdir } from '../src/private-tmpdir.ts';
import { isClosingCall, isRootCall, isSubCall, serverModel, startScriptedServer } from '../src/scripted-server.ts';

const ROOT = ['```repl\nr = llm_query("ping")\nprint(r)\n```', '```repl\nFINAL(r)\n```'];
/** Root call, sub-call, root call. */
const CLEAN_REQUESTS = 3;
const MAX_RETRIES = 3;
const ATTEMPTS = 1 + MAX_RETRIES;
/** The engine's retry settings in these tests: fast backoff (tests must not wait for production delays). */
const RETRIES = { maxRetries: MAX_RETRIES, retryBaseDelayMs: 5, retryMaxDelayMs: 50 };

const mark = createProcessMark();
const sandbox = createLocalSandbox({ env: mark.env });
let tmp: ReturnType<typeof usePrivateTmpdir>;
let baseline: Baseline;
let server: OpenAICompatibleServer;
let faultsInjected = 0;

beforeAll(async () => {
  tmp = usePrivateTmpdir();
  baseline = await takeBaseline();
  server = await startScriptedServer({ root: ROOT });
});

afterEach(() => {
  server.assertNoFailures();
  server.reset();
});

afterAll(async () => {
  await server.close();
  await sandbox.close();
  const report = await checkLeaks({ baseline, mark, tmp });
  tmp.dispose();
  console.info(`[reliability] model faults: ${faultsInjected} faults injected`);
  expect(leaksOnly(report)).toEqual(NO_LEAKS);
});

function always(fault: ServerFault, when: ServerFaultRule['when'] = () => true): ServerFaultRule {
  return { when, fault };
}

function times(count: number, fault: ServerFault, when: ServerFaultRule['when'] = () => true): ServerFaultRule {
  return { when, fault, times: count };
}

async function run(
  options: {
    rules?: ServerFaultRule[];
    model?: Parameters<typeof serverModel>[1];
    retries?: Partial<typeof RETRIES>;
    timeoutMs?: number;
    abortAfterMs?: number;
  } = {},
) {
  for (const rule of options.rules ?? []) server.addFaultRule(rule);
  const rlm = createRLM({
    model: serverModel(server, options.model),
    sandbox,
    maxIterations: 5,
    ...RETRIES,
    ...options.retries,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const controller = new AbortController();
  const timer = options.abortAfterMs === undefined ? undefined : setTimeout(() => controller.abort(), options.abortAfterMs);
  const result = await rlm.query({ context: 'some text', question: 'What does the sub-model say to ping?', abortSignal: controller.signal });
  clearTimeout(timer);
  faultsInjected += server.modelRequests.filter((request) => request.fault !== undefined).length;
  return { result, requests: server.modelRequests.length };
}

function providerError(result: RLMResult<unknown>): ModelProviderError {
  expect(result.status).toBe('error');
  expect(ModelProviderError.isInstance(result.error), `error is a ModelProviderError: ${String(result.error)}`).toBe(true);
  return result.error as ModelProviderError;
}

describe('model faults through @rlms/openai', () => {
  it('the clean script completes in 3 requests (baseline for the counts below)', async () => {
    const { result, requests } = await run();
    expect(result.status).toBe('completed');
    expect(result.answer).toBe('sub:ping');
    expect(requests).toBe(CLEAN_REQUESTS);
  });

  it('a 429 storm that passes is retried (honouring retry-after) and the run completes', async () => {
    const { result, requests } = await run({ rules: [times(3, { type: 'rate-limit', retryAfterMs: 5 })] });
    expect(result.status).toBe('completed');
    expect(result.answer).toBe('sub:ping');
    expect(requests).toBe(CLEAN_REQUESTS + 3);
    expect(result.usage.total.calls).toBe(CLEAN_REQUESTS); // failed attempts cost nothing
  });

  it('an endless 429 storm: 1 + maxRetries requests (the engine retries, the provider does not), status error with the 429', async () => {
    const { result, requests } = await run({ rules: [always({ type: 'rate-limit', retryAfterMs: 5 })] });
    const error = providerError(result);
    expect(error.statusCode).toBe(429);
    expect(error.code).toBe('rate-limit');
    expect(error.retryable).toBe(true); // the provider's classification; the engine spent its retries
    expect(requests).toBe(ATTEMPTS);
    expect(result.statusDetail).toContain('429');
  });

  it('500s that pass are retried; endless 500s end the run with the server error after bounded attempts', async () => {
    const passing = await run({ rules: [times(2, { type: 'server-error' })] });
    expect(passing.result.status).toBe('completed');
    expect(passing.requests).toBe(CLEAN_REQUESTS + 2);
    server.reset();
    const endless = await run({ rules: [always({ type: 'server-error', status: 503 })] });
    expect(providerError(endless.result).statusCode).toBe(503);
    expect(endless.requests).toBe(ATTEMPTS);
  });

  it('dropped connections are retried; endless drops end with a connection error', async () => {
    const passing = await run({ rules: [times(2, { type: 'drop-connection' })] });
    expect(passing.result.status).toBe('completed');
    server.reset();
    const endless = await run({ rules: [always({ type: 'drop-connection' })] });
    expect(providerError(endless.result).code).toBe('connection');
    expect(endless.requests).toBe(ATTEMPTS);
  });

  it('a hung server: each request times out (provider timeoutMs), the engine retries, bounded, typed', async () => {
    const { result, requests } = await run({ rules: [always({ type: 'hang' })], model: { timeoutMs: 300 } });
    const error = providerError(result);
    expect(error.code).toBe('timeout');
    expect(requests).toBe(ATTEMPTS);
  });

  it('a hung server under a run timeout: status timeout, the hung request is abandoned, the closing call answers', async () => {
    // The server hangs forever: reaching the assertions at all shows the run's time limit ended it.
    const { result } = await run({
      rules: [always({ type: 'hang' }, (request) => isRootCall(request) && !isClosingCall(request))],
      timeoutMs: 1_500,
    });
    expect(result.status).toBe('timeout');
    expect(result.statusDetail).toContain('time limit');
    expect(result.answer).toBe('closing answer');
  });

  it('a hung server under a run timeout, the closing call failing too: status timeout, not aborted', async () => {
    const { result } = await run({
      rules: [always({ type: 'hang' })],
      // 1 + maxRetries requests of 300 ms each outlast the 1 s limit: the run times out mid-retries.
      model: { timeoutMs: 300 },
      timeoutMs: 1_000,
    });
    expect(result.status).toBe('timeout');
  });

  it('a slow reply within the timeout is just slow', async () => {
    const { result } = await run({ rules: [times(1, { type: 'slow', delayMs: 300 })] });
    expect(result.status).toBe('completed');
  });

  it('a body cut halfway is retried; endless cuts end with a typed error', async () => {
    const passing = await run({ rules: [times(1, { type: 'truncated-stream' })] });
    expect(passing.result.status).toBe('completed');
    expect(passing.requests).toBe(CLEAN_REQUESTS + 1);
    server.reset();
    const endless = await run({ rules: [always({ type: 'truncated-stream' })] });
    expect(ModelProviderError.isInstance(endless.result.error)).toBe(true);
    expect(endless.requests).toBeLessThanOrEqual(ATTEMPTS);
  });

  it('garbage JSON with status 200: not retried (the server answered), status error naming the invalid body', async () => {
    const { result, requests } = await run({ rules: [always({ type: 'malformed-json' })] });
    const error = providerError(result);
    expect(error.code).toBe('invalid-response');
    expect(error.message).toContain('not valid JSON');
    expect(requests).toBe(1);
  });

  it('usage missing: the run completes and says so (callsWithoutUsage), no invented tokens', async () => {
    await server.close();
    server = await startScriptedServer({ root: ROOT, reportUsage: false });
    try {
      const { result } = await run();
      expect(result.status).toBe('completed');
      expect(result.usage.total.calls).toBe(CLEAN_REQUESTS);
      expect(result.usage.total.callsWithoutUsage).toBe(CLEAN_REQUESTS);
      expect(result.usage.total.totalTokens).toBe(0);
    } finally {
      await server.close();
      server = await startScriptedServer({ root: ROOT });
    }
  });

  it('faults on batched sub-calls become error strings for the code; the run completes; attempts stay bounded', async () => {
    await server.close();
    server = await startScriptedServer({
      root: [
        '```repl\nanswers = llm_query_batched([f"item {i}" for i in range(12)])\nprint(answers)\n```',
        '```repl\nFINAL(sum(1 for a in answers if a.startswith("sub:")))\n```',
      ],
    });
    try {
      const rules: ServerFaultRule[] = [
        times(4, { type: 'rate-limit', retryAfterMs: 1 }, isSubCall),
        times(3, { type: 'server-error' }, isSubCall),
        times(2, { type: 'drop-connection' }, isSubCall),
        times(2, { type: 'malformed-json' }, isSubCall),
      ];
      const { result, requests } = await run({ rules });
      expect(result.status).toBe('completed');
      // The two garbage-JSON replies are final failures of their prompts; every other prompt gets through on a retry.
      expect(result.answer).toBe('10');
      const feedback = result.trajectory.steps[0]?.observation.feedback ?? '';
      expect(feedback).toContain('Error: sub-model call failed');
      expect(requests).toBeLessThanOrEqual(2 + 12 * ATTEMPTS);
      expect(result.subcalls).toBe(12);
    } finally {
      await server.close();
      server = await startScriptedServer({ root: ROOT });
    }
  });

  it('an abort while waiting to retry ends the run at once with status aborted', async () => {
    // The server asks for an hour's wait: reaching the assertions at all shows the abort cut the wait short.
    const { result, requests } = await run({
      rules: [always({ type: 'rate-limit', retryAfterMs: 3_600_000 })],
      retries: { retryMaxDelayMs: 3_600_000 },
      abortAfterMs: 300,
    });
    expect(result.status).toBe('aborted');
    expect(requests).toBe(1);
  });

  it('stream(): one request per call; a cut after partial output says so, a cut before any output is a retryable error', async () => {
    server.setReplies(['Hello there, this reply is streamed in several pieces.']);
    const model = serverModel(server);
    server.addFaultRule(times(1, { type: 'truncated-stream', afterChunks: 1 }));
    const parts: string[] = [];
    const failure = await (async () => {
      for await (const part of model.stream!({ messages: [{ role: 'user', content: 'hi' }] })) {
        if (part.type === 'text-delta') parts.push(part.delta);
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(ModelProviderError.isInstance(failure), String(failure)).toBe(true);
    expect((failure as Error).message).toContain('partial output');
    expect(parts.length).toBeGreaterThan(0);
    expect(server.modelRequests.length).toBe(1);
    faultsInjected++;

    server.reset({ replies: ['Hello again.'] });
    server.addFaultRule(times(1, { type: 'truncated-stream', afterChunks: 0 }));
    const cut = await (async () => {
      for await (const _part of model.stream!({ messages: [{ role: 'user', content: 'hi' }] })) {
        // no part: the stream is cut before its first chunk
      }
    })().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(ModelProviderError.isInstance(cut) && cut.retryable, String(cut)).toBe(true);
    expect(server.modelRequests.length).toBe(1);
    faultsInjected++;
  });
});
