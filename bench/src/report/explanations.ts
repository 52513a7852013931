import type { BatchedSubcallsResult } from '../overhead/batched-subcalls.js';
import type { ContextLoadResult } from '../overhead/context-load.js';
import type { IterationOverheadResult } from '../overhead/iteration-overhead.js';
import { formatMB, formatMs } from '../util/format.js';
import { TARGETS } from './targets.js';

/** Why a sandbox's per-iteration overhead is what it is, and what would lower it; `undefined` when the target is met or there is none. */
export function explainOverheadMiss(result: IterationOverheadResult): string | undefined {
  const target = TARGETS.iterationOverheadMs[result.sandbox];
  if (target === undefined || result.overheadMs.median <= target) return undefined;
  const engine = result.engineMs.median;
  const sandbox = result.sandboxMs.median;
  const parts = [`median ${formatMs(result.overheadMs.median)} against ${target} ms: the engine takes ${formatMs(engine)} and the sandbox ${formatMs(sandbox)} of a median iteration.`];
  if (engine > target) {
    parts.push('The engine part alone is over the target: profile prompt building and event/trajectory bookkeeping (they grow with the message history).');
  }
  if (sandbox >= engine) {
    if (result.sandbox === 'pyodide') {
      parts.push(
        'The time is inside `execute()` in the WebAssembly worker: each cell is a postMessage round trip to the worker, runs CPython compiled to WebAssembly (several times slower than native Python for the same code), and each host call crosses the SharedArrayBuffer + `Atomics.wait` bridge. The chunking cell slices the whole context in Python and the batched cell encodes every sub-prompt from Wasm memory to JS strings. Fixes: keep per-cell work on the JS side where possible (cheaper output capture, fewer copies of sub-prompts across the worker boundary), and measure on an idle machine: tails here follow the load average.',
      );
    } else if (result.sandbox === 'local') {
      parts.push(
        'The time is inside `execute()`: the frame round trip over the python3 pipes (JSON encode/decode on both sides), Python running the cell, stdout/stderr capture with fd redirection, and for the batched cell the JSON of every sub-prompt through the host bridge. Fixes: skip fd-level capture for cells that spawn nothing, and send large sub-prompts as raw bytes rather than JSON strings.',
      );
    } else {
      parts.push('The time is inside `execute()`: frames over the `docker exec` stream add a hop through dockerd on every message.');
    }
  }
  return parts.join(' ');
}

/** A note on batched calls that missed the 1.1× target, or `undefined` when all met it. */
export function explainBatchedMiss(results: readonly BatchedSubcallsResult[], overhead: readonly IterationOverheadResult[]): string | undefined {
  const missed = results.flatMap((result) => result.rows.filter((row) => row.ratio > TARGETS.batchedRatio).map((row) => ({ sandbox: result.sandbox, latencyMs: result.latencyMs, ...row })));
  if (missed.length === 0) return undefined;
  const full = missed.every((row) => row.serverConcurrency >= row.concurrency);
  const notes = [
    `Missed: ${missed.map((row) => `${row.sandbox} N=${row.prompts} at ${row.ratio.toFixed(2)}× (+${formatMs(row.wallMs - row.idealMs)})`).join(', ')}.`,
    full
      ? 'The server saw the full concurrency in every batch, so the scheduler does keep C calls in flight.'
      : 'Some batches did not reach the full concurrency at the server: the host could not dispatch calls fast enough.',
    'The gap is made of two costs outside the model. Each of the C slots runs N/C calls back to back, so every call adds its fixed cost (client and server handling) to the chain; and each batch pays a start-up cost once (the prompts cross from Python to the host, the first wave sets up its HTTP requests). So **ratio ≈ 1 + per-call cost ÷ latency + start-up ÷ ideal**: the second term stays, the third shrinks as N grows, which is why N=256 (16 waves) lands closer to the ideal than N=64 (4 waves).',
  ];
  const costs = missed
    .map((row) => ({ row, http: overhead.find((result) => result.sandbox === row.sandbox)?.httpPerCallMs.median }))
    .filter((entry): entry is { row: (typeof missed)[number]; http: number } => entry.http !== undefined && Number.isFinite(entry.http));
  if (costs.length > 0) {
    const { row, http } = costs[0]!;
    notes.push(`Section 1 measured the client side alone (JSON, HTTP, the \`openai\` SDK) at ${formatMs(http)} per call for ${row.sandbox}, which predicts ${(1 + http / row.latencyMs).toFixed(2)}× at ${row.latencyMs} ms; the server's own request handling adds to it, and all of it grows with the load on the two shared cores.`);
  }
  notes.push('What would fix it: a leaner HTTP path for sub-calls (a pooled keep-alive client without the SDK\'s per-request work), or, at the same budget, a slightly higher concurrency to absorb the per-call cost.');
  return notes.join(' ');
}

/** Where the copies of a loaded context live, by sandbox. */
const LOAD_PATHS: Readonly<Record<string, string>> = {
  local:
    'Copies at the peak: the engine\'s UTF-8 bytes (1×, kept so the context can be reloaded after a sandbox restart) and, in python3, the payload read as a `bytes` object plus the decoded `str` (2×): 3× is this design\'s floor. Going under it needs decoding while reading (str pieces joined at the end: still 2× at the join) or dropping the engine copy once the sandbox holds the context (giving up reload after a restart).',
  docker:
    'Same copies as the local sandbox (engine bytes 1×; in the container\'s python3 the uploaded bytes and the decoded `str`, 2×): 3× is the floor of this design.',
  pyodide:
    'Everything is in this Node process: the engine\'s UTF-8 bytes, their copy to the worker thread (structured clone), the copy into the WebAssembly heap, and the decoded Python `str` in the same heap: about 4×, and WebAssembly memory does not shrink after it grew. `createPyodideSandbox({ transferContextBytes: true })` moves the buffer to the worker instead of copying it (one copy less); decoding straight from the JS buffer into the `str` without a `bytes` object in the heap would approach 2×. Time goes to encoding in the engine, then copying and decoding in CPython compiled to WebAssembly, on cores shared with the worker.',
};

/** Why the 100 MB load missed a target, or `undefined`. */
export function explainLoadMiss(result: ContextLoadResult): string | undefined {
  const row = result.rows.find((candidate) => Math.abs(candidate.bytes - TARGETS.loadTargetBytes) < 1e6);
  if (row === undefined) return undefined;
  const notes: string[] = [];
  if (row.totalMs > TARGETS.loadMs) {
    notes.push(`100 MB took ${formatMs(row.totalMs)} (target ${formatMs(TARGETS.loadMs)}): ${formatMs(row.prepareMs)} to encode in the engine, ${formatMs(row.loadMs)} in \`loadContext\`.`);
  }
  if (row.growthRatio > TARGETS.loadGrowthRatio) {
    notes.push(`Peak RSS grew ${formatMB(row.memory.growthBytes)} (${row.growthRatio.toFixed(2)}× the context; target ${TARGETS.loadGrowthRatio}×): ${row.memory.processes.map((p) => `${p.label} +${formatMB(Math.max(0, p.peakBytes - p.baselineBytes))}`).join(', ')}.`);
  }
  if (notes.length === 0) return undefined;
  const path = LOAD_PATHS[result.sandbox];
  return [...notes, ...(path === undefined ? [] : [path])].join(' ');
}

/** What each peer could and could not do, learned from their docs, types and these runs. */
export const PEER_NOTES: readonly string[] = [
  '- **@ax-llm/ax** (`agent(...)` in RLM mode with the default `AxJSRuntime`): the actor writes **JavaScript**, not Python, in a worker-thread runtime under Node\'s permission model; the context field is kept runtime-only (`contextFields`), `llmQuery([...])` batches sub-queries with `maxBatchedLlmQueryConcurrency`. A custom OpenAI-compatible `apiURL` works. Differences that matter here: every run ends with an extra **responder** model call (distiller → responder pipeline); the default `maxRuntimeChars: 3000` **cuts each `llmQuery` context to ~3 KB**, so the sub-model saw only the head of each chunk and answered wrongly until we raised it to 2,000,000; one agent object **keeps runtime variables and the action log across `forward()` calls**, so a second run reused the first run\'s results without doing the work, and we create a fresh agent per run. Ax asks for output through a forced function call (`__axOutput`); the scripted server answers in plain text, which Ax accepts as the code field. Ax\'s workers print an ExperimentalWarning (permission model) unless `NODE_NO_WARNINGS=1`.',
  '- **recursive-llm-ts**: the engine is a **Go binary** (prebuilt `@recursive-llm/linux-x64`, installed as an optional dependency; its postinstall that would build Go from source is skipped by pnpm) spawned **once per completion**, with the context sent as JSON over stdin. `api_base` points it at the server. Code runs in **goja** (a JavaScript VM in Go) that is **created fresh for every step**: no variable survives between iterations, so the policy recomputes chunks and copies printed results into later code. There is **no batched or parallel sub-call**: `recursive_llm(query, context)` starts a full child RLM (its own system prompt and loop; it needs a code step to look at its context, then `FINAL`), one after another, so the batch runs sequentially (server concurrency 1) and a sub-query costs at least two model calls. `FINAL("…")` must be literal text in the model\'s reply; it cannot return a computed value.',
];
