import { createRLM, type SandboxProviderV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createOpenAIProvider } from '@rlms/openai';
import { SUBCALL_DIALECTS, type ScriptedServer } from '../server/scripted-server.js';
import { maxOverlap } from '../util/intervals.js';
import { median } from '../util/stats.js';

/** Options of {@link measureBatchedSubcalls}. */
export interface BatchedSubcallsOptions {
  readonly sandbox: SandboxProviderV1;
  /** Server with the wanted latency; it answers sub-calls with a marker count. */
  readonly server: ScriptedServer;
  readonly latencyMs: number;
  /** Prompts per `llm_query_batched` call, e.g. `[64, 256]`. */
  readonly sizes: readonly number[];
  /** `maxSubcallConcurrency`. */
  readonly concurrency: number;
  /** Repetitions per size (the median is reported). Default 3. */
  readonly repeats?: number;
}

/** One batch size. */
export interface BatchedSubcallsRow {
  readonly prompts: number;
  readonly concurrency: number;
  /** Wall time of the `llm_query_batched` call timed in Python (median of repeats), ms. */
  readonly wallMs: number;
  /** `ceil(prompts / concurrency) × latency`, ms. */
  readonly idealMs: number;
  /** `wallMs / idealMs`. */
  readonly ratio: number;
  /** Most sub-calls the server was answering at once (from its thinking windows). */
  readonly serverConcurrency: number;
}

/** `llm_query_batched` wall time against the ideal for each size. */
export interface BatchedSubcallsResult {
  readonly sandbox: string;
  readonly latencyMs: number;
  readonly rows: readonly BatchedSubcallsRow[];
}

/**
 * Times `llm_query_batched` of N prompts from Python, with the sub-model on the scripted HTTP server
 * (fixed latency) through `@rlms/openai`, against the ideal `ceil(N / C) × latency`.
 */
export async function measureBatchedSubcalls(options: BatchedSubcallsOptions): Promise<BatchedSubcallsResult> {
  const subModel = createOpenAIProvider({ model: 'bench-model', baseURL: options.server.baseURL, apiKey: 'bench', maxRetries: 0 });
  const rows: BatchedSubcallsRow[] = [];
  const repeats = options.repeats ?? 3;
  for (const prompts of options.sizes) {
    const samples: number[] = [];
    let serverConcurrency = 0;
    for (let repeat = 0; repeat < repeats; repeat++) {
      const code = [
        'import time',
        `__prompts = ["item %d: needle" % i for i in range(${prompts})]`,
        '__t0 = time.perf_counter()',
        '__answers = llm_query_batched(__prompts)',
        '__ms = (time.perf_counter() - __t0) * 1000.0',
        'FINAL({"ms": __ms, "n": len(__answers), "ok": all(a == "1" for a in __answers)})',
      ].join('\n');
      const root = new MockModel({ replies: [`\`\`\`repl\n${code}\n\`\`\``] });
      const rlm = createRLM({
        model: root,
        subModel,
        sandbox: options.sandbox,
        maxSubcallConcurrency: options.concurrency,
        maxIterations: 2,
        trajectoryIncludesContext: false,
      });
      const result = await rlm.query({ context: 'batched', question: 'Time a batch.' });
      const activity = await options.server.take();
      serverConcurrency = Math.max(serverConcurrency, maxOverlap(activity.calls.filter((call) => SUBCALL_DIALECTS.has(call.dialect))));
      const value = result.answerValue as { ms?: number; n?: number; ok?: boolean } | undefined;
      if (result.status !== 'completed' || value?.n !== prompts || value.ok !== true || typeof value.ms !== 'number') {
        throw new Error(`llm_query_batched(${prompts}) on ${options.sandbox.name} failed: ${result.status} ${result.statusDetail ?? JSON.stringify(value)}`);
      }
      samples.push(value.ms);
    }
    const idealMs = Math.ceil(prompts / options.concurrency) * options.latencyMs;
    const wallMs = median(samples);
    rows.push({ prompts, concurrency: options.concurrency, wallMs, idealMs, ratio: wallMs / idealMs, serverConcurrency });
  }
  return { sandbox: options.sandbox.name, latencyMs: options.latencyMs, rows };
}
