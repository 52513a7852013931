import type { BenchReport } from '../run-bench.js';
import type { SuiteReport } from '../suites/run-suite.js';
import { formatMB, formatMs, formatRatio, formatTokens, markdownTable } from '../util/format.js';
import { explainBatchedMiss, explainLoadMiss, explainOverheadMiss, PEER_NOTES } from './explanations.js';
import { TARGETS, verdictAtMost, verdictLinear } from './targets.js';

const pct = (value: number): string => `${(value * 100).toFixed(0)}%`;
const cost = (value: number | undefined): string => (value === undefined ? 'n/a' : `$${value.toFixed(4)}`);

function runSection(report: BenchReport): string {
  const m = report.machine;
  const busy = report.loadAverage.start > m.cores || report.loadAverage.end > m.cores;
  const lines = [
    '## Run',
    '',
    markdownTable(
      ['', ''],
      [
        ['date', report.startedAt],
        ['command', `\`${report.command}\``],
        ['profile', report.profile.name],
        ['duration', formatMs(report.durationMs)],
        ['machine', `${m.cpuModel}, ${m.cores} cores, ${m.memoryGB} GB RAM, ${m.os}`],
        ['software', `Node ${m.node}, ${m.python ?? 'no python3'}, Docker ${m.docker ?? 'not available'}`],
        ['load average (1 min)', `${report.loadAverage.start.toFixed(2)} at start, ${report.loadAverage.end.toFixed(2)} at end`],
        ['model latency', `${report.profile.latencyMs} ms per call (scripted OpenAI-compatible server; ${report.profile.batched.latencyMs} ms for the batched test)`],
      ],
    ),
    '',
  ];
  if (busy) {
    lines.push(
      `> **The machine was busy during this run** (load average above its ${m.cores} cores: other work shared the CPUs). Absolute times, tails (p90/p99) especially, are inflated; ratios measured in the same run are more robust. Re-run \`pnpm bench\` on an idle machine for clean absolute figures.`,
      '',
    );
  }
  lines.push('Sandboxes:', '');
  lines.push(markdownTable(['sandbox', 'what runs the code', 'status'], report.sandboxes.map((s) => [s.name, s.description, s.available ? 'measured' : `**not available**: ${s.reason ?? ''}`])), '');
  return lines.join('\n');
}

function summarySection(report: BenchReport): string {
  const rows: string[][] = [];
  for (const result of report.overhead) {
    const target = TARGETS.iterationOverheadMs[result.sandbox];
    rows.push(['overhead per iteration, median', result.sandbox, formatMs(result.overheadMs.median), target === undefined ? 'no target (reported)' : verdictAtMost(result.overheadMs.median, target, ' ms')]);
  }
  for (const result of report.batched) {
    for (const row of result.rows) rows.push([`llm_query_batched ${row.prompts} @ C=${row.concurrency}`, result.sandbox, `${formatMs(row.wallMs)} (ideal ${formatMs(row.idealMs)})`, verdictAtMost(row.ratio, TARGETS.batchedRatio, '×')]);
  }
  for (const result of report.contextLoad) {
    const row = result.rows.find((candidate) => Math.abs(candidate.bytes - TARGETS.loadTargetBytes) < 1e6);
    if (row === undefined) continue;
    rows.push(['100 MB context load time', result.sandbox, formatMs(row.totalMs), verdictAtMost(row.totalMs, TARGETS.loadMs, ' ms')]);
    rows.push(['100 MB context peak RSS growth', result.sandbox, `${formatMB(row.memory.growthBytes)} (${row.growthRatio.toFixed(2)}×)`, verdictAtMost(row.growthRatio, TARGETS.loadGrowthRatio, '×')]);
  }
  for (const result of report.scale) {
    const span = `${formatTokens(result.rows[0]!.tokens)}→${formatTokens(result.rows.at(-1)!.tokens)}`;
    if (result.timeFit !== undefined) {
      rows.push([`time linear in size (${span})`, result.sandbox, `${formatMs(result.timeFit.msPerMTokens)} per 1M tokens + ${formatMs(result.timeFit.interceptMs)}`, verdictLinear(result.rows.map((row) => ({ x: row.tokens / 1e6, y: row.wallMs })), result.timeFit.r2)]);
    }
    if (result.memoryFit !== undefined) {
      rows.push([`memory linear in size (${span})`, result.sandbox, `${result.memoryFit.mbPerMTokens.toFixed(1)} MB per 1M tokens`, verdictLinear(result.rows.map((row) => ({ x: row.tokens / 1e6, y: row.totalGrowthBytes / 1e6 })), result.memoryFit.r2)]);
    }
  }
  if (rows.length === 0) return '';
  return ['## Targets', '', markdownTable(['target', 'sandbox', 'measured', 'verdict'], rows), ''].join('\n');
}

function overheadSection(report: BenchReport): string {
  if (report.overhead.length === 0) return '';
  const p = report.profile;
  const lines = [
    '## 1. Engine + sandbox overhead per iteration',
    '',
    `Workload: a ${formatMB(p.overhead.contextBytes)} text context and a scripted root model (OpenAI-compatible HTTP server in a child process, ${p.latencyMs} ms per call, through \`@rlms/openai\`) that runs the RLM policy **probe → chunk (${p.overhead.chunkChars.toLocaleString('en-US')} chars) → \`llm_query_batched\` → aggregate → FINAL**: 5 root iterations and 8 sub-calls per run, ${p.overhead.runs} measured runs after ${p.overhead.warmupRuns} warm-up runs; every run's answer is checked. Each root iteration (from \`iteration-start\` to the next, or to \`run-end\`) is split with timers around \`generate()\`, \`createSession\`/\`loadContext\`/\`destroy\` and \`execute()\`: **overhead = iteration time − time waiting on a model − session setup** = *sandbox* (inside \`execute\`, not waiting on a model: Python work, frames, host-call dispatch) + *engine* (prompting, parsing, budgets, events, trajectory). Session setup is reported per run, not per iteration.`,
    '',
    markdownTable(
      ['sandbox', 'runs ok', 'iterations', 'overhead median', 'p90', 'engine median', 'sandbox median', 'setup per run', 'wall per run', 'HTTP+SDK per call', 'target'],
      report.overhead.map((r) => {
        const target = TARGETS.iterationOverheadMs[r.sandbox];
        return [
          r.sandbox,
          `${r.correctRuns}/${r.runs}`,
          String(r.iterations),
          formatMs(r.overheadMs.median),
          formatMs(r.overheadMs.p90),
          formatMs(r.engineMs.median),
          formatMs(r.sandboxMs.median),
          formatMs(r.setupMs.median),
          formatMs(r.wallMs.median),
          formatMs(r.httpPerCallMs.median),
          target === undefined ? '—' : verdictAtMost(r.overheadMs.median, target, ' ms'),
        ];
      }),
    ),
    '',
    '![overhead per iteration](results/overhead-per-iteration.svg)',
    '',
    '*HTTP+SDK per call* is the client-side model call time minus the server latency (JSON, HTTP, the `openai` SDK); it is part of the model call, not of the overhead above.',
    '',
  ];
  for (const result of report.overhead) {
    const note = explainOverheadMiss(result);
    if (note !== undefined) lines.push(`- **${result.sandbox}**: ${note}`);
  }
  lines.push('');
  return lines.join('\n');
}

function hostCallSection(report: BenchReport): string {
  if (report.hostCall.length === 0) return '';
  return [
    '## 2. Host-call round trip',
    '',
    `\`llm_query("ping")\` timed in Python with \`time.perf_counter()\`, through the engine's host bridge to a \`MockModel\` that answers at once (no model latency): ${report.profile.hostCall.calls} calls after 20 warm-up calls, per sandbox.`,
    '',
    markdownTable(
      ['sandbox', 'p50', 'p90', 'p99', 'max'],
      report.hostCall.map((r) => [r.sandbox, formatMs(r.roundTripMs.median), formatMs(r.roundTripMs.p90), formatMs(r.roundTripMs.p99), formatMs(r.roundTripMs.max)]),
    ),
    '',
  ].join('\n');
}

function batchedSection(report: BenchReport): string {
  if (report.batched.length === 0) return '';
  const lines = [
    '## 3. `llm_query_batched`: wall time vs ideal',
    '',
    `One \`llm_query_batched\` of N prompts timed in Python; the sub-model is the scripted HTTP server (${report.batched[0]!.latencyMs} ms per call) through \`@rlms/openai\`; \`maxSubcallConcurrency\` C. Ideal = ceil(N/C) × latency. Median of ${report.profile.batched.repeats} repeats. *Server concurrency* is the most calls the server was answering at once.`,
    '',
    markdownTable(
      ['sandbox', 'N', 'C', 'measured', 'ideal', 'ratio', 'server concurrency', 'target ≤ 1.1×'],
      report.batched.flatMap((result) => result.rows.map((row) => [result.sandbox, String(row.prompts), String(row.concurrency), formatMs(row.wallMs), formatMs(row.idealMs), formatRatio(row.ratio), String(row.serverConcurrency), verdictAtMost(row.ratio, TARGETS.batchedRatio, '×')])),
    ),
    '',
    '![batched vs ideal](results/batched-vs-ideal.svg)',
    '',
  ];
  const note = explainBatchedMiss(report.batched, report.overhead);
  if (note !== undefined) lines.push(note, '');
  return lines.join('\n');
}

function contextSection(report: BenchReport): string {
  if (report.contextLoad.length === 0) return '';
  const lines = [
    '## 4. Context load time and peak memory',
    '',
    'For each size a fresh session is opened, then timed: `prepareContext` (the engine UTF-8-encodes the string) + `session.loadContext` (until Python holds `context` as a `str`). The context string exists before the baseline (the user already has it). **Memory** is the peak resident set size (`VmHWM` from `/proc/<pid>/status`, reset through `/proc/<pid>/clear_refs` before the step, so it is an exact per-process peak) minus the RSS just before the step, summed over: this Node process (engine; for Pyodide it also holds the WebAssembly worker) and the sandbox\'s Python process (the `python3` child of the local sandbox; the runtime process inside the Docker container, found by its cgroup). Summing per-process peaks is an upper bound of the simultaneous peak. Contexts above 256 MB are passed as a bytes payload (`{ format: "text", bytes }`): a V8 string cannot exceed ~512 MB.',
    '',
    markdownTable(
      ['sandbox', 'size', 'input', 'prepare', 'loadContext', 'total', 'node growth', 'python growth', 'total growth', 'growth ÷ size'],
      report.contextLoad.flatMap((result) =>
        result.rows.map((row) => {
          const node = row.memory.processes.filter((p) => p.label.startsWith('node')).reduce((sum, p) => sum + Math.max(0, p.peakBytes - p.baselineBytes), 0);
          const python = row.memory.growthBytes - node;
          return [result.sandbox, formatMB(row.bytes), row.input, formatMs(row.prepareMs), formatMs(row.loadMs), formatMs(row.totalMs), formatMB(node), result.sandbox === 'pyodide' ? '(in node)' : formatMB(python), formatMB(row.memory.growthBytes), `${row.growthRatio.toFixed(2)}×`];
        }),
      ),
    ),
    '',
    '![context load time](results/context-load-time.svg) ![context load memory](results/context-load-memory.svg)',
    '',
  ];
  for (const result of report.contextLoad) {
    for (const failure of result.failures) lines.push(`- **${result.sandbox}** could not load ${formatMB(failure.bytes)}: ${failure.error}`);
    const note = explainLoadMiss(result);
    if (note !== undefined) lines.push(`- **${result.sandbox}**: ${note}`);
  }
  lines.push('');
  return lines.join('\n');
}

function sessionSection(report: BenchReport): string {
  if (report.sessionStart.length === 0) return '';
  const s = report.profile.sessionStart;
  return [
    '## 5. Session start',
    '',
    `*Cold*: the first \`createSession\` in a fresh Node process (median over ${s.coldRuns} processes; the package import is listed apart). *Warm*: later sessions in the same process, back to back (destroy, then create at once; ${s.warmRuns} samples) and after ${s.idleMs} ms idle (pools refilled; ${s.idleRuns} samples). Pyodide boots CPython once per process and starts later sessions from a memory snapshot and a warm pool of one worker; Docker starts a container per session, or reuses an idle one with \`reuse\`.`,
    '',
    markdownTable(
      ['sandbox', 'package import', 'cold', 'warm (back to back)', 'warm (after idle)'],
      report.sessionStart.map((r) => [r.sandbox, r.importMs.n === 0 ? '—' : formatMs(r.importMs.median), r.coldMs.n === 0 ? (r.note ?? '—') : formatMs(r.coldMs.median), formatMs(r.warmBackToBackMs.median), r.warmAfterIdleMs.n === 0 ? '—' : formatMs(r.warmAfterIdleMs.median)]),
    ),
    '',
  ].join('\n');
}

function scaleSection(report: BenchReport): string {
  if (report.scale.length === 0) return '';
  const lines = [
    '## 6. Scale: a full run from 1M tokens up',
    '',
    `The whole scripted policy over text contexts of growing size (4 bytes per token), chunks of ${report.scale[0]!.chunkChars.toLocaleString('en-US')} characters (~100K tokens) sent with \`llm_query_batched\` (C = 16) to the HTTP server (${report.profile.latencyMs} ms per call); every answer is checked; each size runs ${report.profile.scale.repeats ?? 1}× after an idle pause (warm pools refill) and the fastest run is shown. *Machinery* = wall − time waiting on models. Memory: peak RSS growth of this Node process (VmHWM reset before the run) plus the sandbox's Python process (VmHWM read just before \`destroy\`, minus its RSS right after start).`,
    '',
  ];
  for (const result of report.scale) {
    lines.push(`**${result.sandbox}**`, '');
    lines.push(
      markdownTable(
        ['tokens', 'MB', 'answer', 'sub-calls', 'wall', 'machinery', 'session + load', 'node growth', 'python growth', 'total growth', 'wall per 1M tokens'],
        result.rows.map((row) => [formatTokens(row.tokens), formatMB(row.bytes), row.correct ? 'correct' : `wrong (${row.status})`, String(row.subcalls), formatMs(row.wallMs), formatMs(row.machineryMs), formatMs(row.setupMs), formatMB(row.nodeGrowthBytes), result.sandbox === 'pyodide' ? '(in node)' : formatMB(row.sandboxGrowthBytes), formatMB(row.totalGrowthBytes), formatMs(row.wallMs / (row.tokens / 1e6))]),
      ),
      '',
    );
    const fits: string[] = [];
    if (result.timeFit !== undefined) fits.push(`time ≈ ${formatMs(result.timeFit.interceptMs)} + ${formatMs(result.timeFit.msPerMTokens)} per 1M tokens (r² ${result.timeFit.r2.toFixed(3)})`);
    if (result.memoryFit !== undefined) fits.push(`memory ≈ ${result.memoryFit.interceptMB.toFixed(0)} MB + ${result.memoryFit.mbPerMTokens.toFixed(1)} MB per 1M tokens (r² ${result.memoryFit.r2.toFixed(3)}; the context itself is 4 MB per 1M tokens)`);
    if (fits.length > 0) lines.push(`Linear fits: ${fits.join('; ')}.`, '');
  }
  lines.push('![scale time](results/scale-time.svg) ![scale memory](results/scale-memory.svg)', '');
  return lines.join('\n');
}

function sideBySideSection(report: BenchReport): string {
  const side = report.sideBySide;
  if (side === undefined) return '';
  const reference = side.rows.find((row) => row.id === 'rlms-local') ?? side.rows[0];
  const lines = [
    '## 7. Side by side with other TypeScript RLM implementations',
    '',
    `Same process, same scripted HTTP server (${side.latencyMs} ms per model call), same workload (${formatMB(report.profile.overhead.contextBytes)} context; probe → chunk → batched sub-calls → aggregate → final answer), written in each implementation's own dialect by the scripted model; ${report.profile.sideBySide.runs} measured runs each after ${report.profile.sideBySide.warmupRuns} warm-up. The measure that applies to all: **overhead per iteration = (run wall time − time the server spent "thinking") ÷ root model calls**; it includes HTTP clients, session/process start-up and everything else that is not the model. Runs go round robin (one run of each implementation in turn), so load changes on the machine hit all alike. Then one batch of ${side.batchPrompts} sub-calls per implementation on a second server with ${side.batchLatencyMs} ms per call (concurrency ${side.concurrency} where the implementation has a setting), timed by the server from the first sub-call to the last (ideal ceil(${side.batchPrompts}/${side.concurrency}) × ${side.batchLatencyMs} ms = ${formatMs(side.batchIdealMs)}). Ratios are against \`${reference?.id ?? '—'}\`.`,
    '',
    markdownTable(
      ['implementation', 'code runs in', 'answers ok', 'wall per run', 'ratio', 'model calls (root)', 'overhead per iteration', 'ratio', `batch of ${side.batchPrompts}`, 'vs ideal', 'server concurrency'],
      side.rows.map((row) => [
        row.label === 'rlms (this repo)' ? `rlms (${row.id.replace('rlms-', '')})` : row.label,
        row.runtime,
        `${row.correctRuns}/${row.runs}`,
        formatMs(row.wallMs.median),
        reference === undefined ? '—' : formatRatio(row.wallMs.median / reference.wallMs.median),
        `${row.modelCalls} (${row.rootCalls})`,
        formatMs(row.overheadPerIterationMs.median),
        reference === undefined ? '—' : formatRatio(row.overheadPerIterationMs.median / reference.overheadPerIterationMs.median),
        row.batchSpanMs === undefined ? '—' : `${formatMs(row.batchSpanMs)}${row.batchCorrect === false ? ' (wrong answer)' : ''}`,
        row.batchSpanMs === undefined ? '—' : formatRatio(row.batchSpanMs / side.batchIdealMs),
        row.batchConcurrency === undefined ? '—' : String(row.batchConcurrency),
      ]),
    ),
    '',
    '![side by side](results/side-by-side.svg)',
    '',
  ];
  for (const row of side.rows) {
    if (row.breakdown === undefined || row.rootCalls === 0) continue;
    const setup = row.breakdown.setupPerRunMs / row.rootCalls;
    const rest = row.overheadPerIterationMs.median - setup - row.breakdown.enginePlusSandboxPerIterationMs;
    lines.push(
      `- Where ${row.id}'s ${formatMs(row.overheadPerIterationMs.median)} per iteration goes (same runs, timers as in section 1): session start + context load + destroy ${formatMs(setup)} (${formatMs(row.breakdown.setupPerRunMs)} per run, spread over ${row.rootCalls} iterations), engine + sandbox ${formatMs(row.breakdown.enginePlusSandboxPerIterationMs)}, and ${formatMs(Math.max(0, rest))} outside both: the HTTP client (\`openai\` SDK) and server handling of ${(row.modelCalls / row.rootCalls).toFixed(1)} model calls per iteration.` +
        (setup > row.overheadPerIterationMs.median / 2
          ? ' The largest share is starting a sandbox session for every query; a pre-started (pooled) session, as the Pyodide sandbox keeps, would take it off the query path.'
          : ''),
    );
  }
  for (const row of side.rows) if (row.errors.length > 0) lines.push(`- ${row.id} errors: ${row.errors.join('; ')}`);
  for (const missing of side.unavailable) lines.push(`- **${missing.id} not measured**: ${missing.reason}`);
  lines.push('', '### What each peer could and could not do', '', ...PEER_NOTES, '');
  return lines.join('\n');
}

function suitesSection(report: BenchReport): string {
  if (report.suites.length === 0) return '';
  const lines = [
    '## 8. Task suites: harness check with the oracle model',
    '',
    '**These are not model accuracy results.** `pnpm bench` has no real model (no network here), so each suite runs with the *oracle*: a scripted model that knows how the generator builds tasks and writes the right code (and answers the direct call with the ground truth). It proves generators, the RLM and direct paths, sub-calls and scorers end to end; it also shows tokens and wall time of the machinery at each size. Run a real model with:',
    '',
    '```sh',
    'node bench/dist/cli.js suite --suite s-niah --model gpt-4.1-mini --sizes 8k,32k,128k,1m',
    'node bench/dist/cli.js suite --suite oolong --model my-model --base-url http://localhost:8000/v1 --context-window 32768',
    '```',
    '',
  ];
  for (const suite of report.suites) lines.push(suiteTable(suite), '');
  lines.push('Costs show when the provider reports them or prices are given (`--price-in`/`--price-out`, USD per 1M tokens); the oracle has none.', '');
  return lines.join('\n');
}

/** One suite's per-size table (RLM vs direct), with a heading line. */
export function suiteTable(suite: SuiteReport): string {
  return [
    `**${suite.title}** (\`${suite.suite}\`, ${suite.metric === 'f1' ? 'F1 over pairs' : 'exact match'}; model ${suite.model}, sub-model ${suite.subModel}, sandbox ${suite.sandbox})`,
    '',
    markdownTable(
      ['size', 'RLM score', 'RLM tokens', 'RLM calls', 'RLM cost', 'RLM wall (median)', 'direct score', 'direct tokens', 'direct cost', 'direct wall'],
      suite.rows.map((row) => {
        const direct = 'skipped' in row.direct ? undefined : row.direct;
        return [
          formatTokens(row.sizeTokens),
          `${pct(row.rlm.score)} (${row.rlm.correct}/${row.rlm.tasks})`,
          row.rlm.totalTokens.toLocaleString('en-US'),
          String(row.rlm.calls),
          cost(row.rlm.costUsd),
          formatMs(row.rlm.medianWallMs),
          direct === undefined ? `— (${'skipped' in row.direct ? row.direct.skipped : ''})` : `${pct(direct.score)} (${direct.correct}/${direct.tasks})`,
          direct === undefined ? '—' : direct.totalTokens.toLocaleString('en-US'),
          direct === undefined ? '—' : cost(direct.costUsd),
          direct === undefined ? '—' : formatMs(direct.medianWallMs),
        ];
      }),
    ),
  ].join('\n');
}

function errorsSection(report: BenchReport): string {
  if (report.errors.length === 0) return '';
  return ['## Sections that failed', '', ...report.errors.map((error) => `- ${error.section}${error.sandbox === undefined ? '' : ` (${error.sandbox})`}: ${error.error}`), ''].join('\n');
}

/** RESULTS.md for a report. */
export function resultsMarkdown(report: BenchReport, extra: string): string {
  return [
    '# rlms benchmark results',
    `<!-- Generated by \`${report.command}\` (bench/src/report). Do not edit by hand: re-run the benchmark. -->`,
    'What the machinery around the model costs (engine, sandboxes, host calls), how it scales with context size, how it compares with other TypeScript RLM implementations on the same workload, and the long-context task-suite harness.',
    runSection(report),
    summarySection(report),
    overheadSection(report),
    hostCallSection(report),
    batchedSection(report),
    contextSection(report),
    sessionSection(report),
    scaleSection(report),
    sideBySideSection(report),
    suitesSection(report),
    errorsSection(report),
    extra,
  ]
    .map((part) => part.trim())
    .filter((part) => part.length > 0)
    .join('\n\n')
    .concat('\n');
}
