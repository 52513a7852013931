import { createRLM, type SandboxProviderV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { summarize, type Summary } from '../util/stats.js';

/** Options of {@link measureHostCallRoundTrip}. */
export interface HostCallRoundTripOptions {
  readonly sandbox: SandboxProviderV1;
  /** Measured `llm_query` calls. */
  readonly calls: number;
  /** Calls made first and not measured. Default 20. */
  readonly warmupCalls?: number;
}

/** Round trip of `llm_query` from Python to the host and back. */
export interface HostCallRoundTripResult {
  readonly sandbox: string;
  /** Per call, ms, timed in Python with `time.perf_counter()` around `llm_query("ping")`. */
  readonly roundTripMs: Summary;
}

/**
 * Times `llm_query` round trips from inside the REPL, through the engine's host bridge to a
 * `MockModel` that answers at once (no model latency), per sandbox.
 * Throws when the run does not complete (the sandbox failed).
 */
export async function measureHostCallRoundTrip(options: HostCallRoundTripOptions): Promise<HostCallRoundTripResult> {
  const warmup = options.warmupCalls ?? 20;
  const code = [
    'import time',
    `for _ in range(${warmup}):`,
    '    llm_query("ping")',
    '__rtt = []',
    `for _ in range(${options.calls}):`,
    '    __t0 = time.perf_counter()',
    '    llm_query("ping")',
    '    __rtt.append((time.perf_counter() - __t0) * 1000.0)',
    'FINAL(__rtt)',
  ].join('\n');
  const root = new MockModel({ replies: [`\`\`\`repl\n${code}\n\`\`\``] });
  const sub = new MockModel({ replies: () => 'pong', modelId: 'mock-sub' });
  const rlm = createRLM({ model: root, subModel: sub, sandbox: options.sandbox, maxIterations: 2, trajectoryIncludesContext: false });
  const result = await rlm.query({ context: 'round trip', question: 'Measure host calls.' });
  if (result.status !== 'completed' || !Array.isArray(result.answerValue)) {
    throw new Error(`The host-call run on ${options.sandbox.name} ended with status ${result.status}: ${result.statusDetail ?? ''}`);
  }
  return { sandbox: options.sandbox.name, roundTripMs: summarize(result.answerValue as number[]) };
}
