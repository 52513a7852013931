/**
 * The leak and concurrency soak: many RLM runs at once on one shared sandbox provider, with random
 * faults (model errors, sub-call failures, interpreter crashes, execution timeouts, slow models)
 * and random aborts. Each run's context holds a unique token that its answer must echo, through
 * the sandbox and a sub-call, so cross-talk between runs shows. Afterwards nothing may be left:
 * processes, temp dirs, handles, threads; memory is reported.
 */
import { ModelProviderError, RLMError, createRLM, type RunStatus, type SandboxProviderV1 } from '@rlms/core';
import { MockModel, trackSandbox, type MockCall } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { checkLeaks, leakCount, takeBaseline, type LeakReport } from './baseline.ts';
import { createProcessMark } from './leak-check.ts';
import { usePrivateTmpdir } from './private-tmpdir.ts';

export type SoakSandbox = 'local' | 'pyodide';

export interface SoakOptions {
  readonly runs: number;
  readonly concurrency: number;
  readonly seed: number;
  readonly sandbox?: SoakSandbox;
  /** Probability that a run is aborted at a random moment. Default 0.1. */
  readonly abortRate?: number;
  /** Probability of each fault kind per run. Default 0.08. */
  readonly faultRate?: number;
  /** A run taking longer than this counts as hung. Default 120 000 ms. */
  readonly hangMs?: number;
  /** Progress lines. */
  readonly log?: (line: string) => void;
}

export const FAULT_KINDS = ['model-retryable', 'model-fatal', 'subcall-error', 'interpreter-crash', 'execution-timeout', 'slow-model'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface SoakReport {
  readonly runs: number;
  readonly concurrency: number;
  readonly seed: number;
  readonly sandbox: SoakSandbox;
  readonly durationMs: number;
  readonly statuses: Record<RunStatus, number>;
  /** Faults planned and actually hit, by kind. */
  readonly faults: Record<FaultKind, number>;
  /** Runs whose abort fired before they ended. */
  readonly aborts: number;
  /** Completed runs whose answer was another run's token. */
  readonly crossTalk: number;
  /** Runs whose outcome did not match their plan, with why. */
  readonly unexpected: readonly string[];
  readonly hung: number;
  readonly sessions: number;
  readonly restarts: number;
  readonly subcalls: number;
  readonly leaks: LeakReport;
  readonly leaked: number;
  readonly memory: { readonly baselineRss: number; readonly peakRss: number; readonly afterRss: number; readonly heapGrowth: number };
}

/** Deterministic PRNG (mulberry32). */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface RunPlan {
  readonly index: number;
  readonly token: string;
  readonly context: string;
  readonly faults: ReadonlySet<FaultKind>;
  /** Abort after this many ms, if set. */
  readonly abortAfterMs?: number;
  hit: Set<FaultKind>;
}

const TOKEN_PATTERN = 'TOKEN-[0-9]+-[0-9a-f]+';

function makePlan(index: number, random: () => number, abortRate: number, faultRate: number): RunPlan {
  const token = `TOKEN-${index}-${Math.floor(random() * 2 ** 48).toString(16)}`;
  const lines: string[] = [];
  const fillerLines = 20 + Math.floor(random() * 600);
  const tokenAt = Math.floor(random() * fillerLines);
  for (let line = 0; line < fillerLines; line++) {
    if (line === tokenAt) lines.push(`record ${line}: the secret token of this run is ${token}`);
    else lines.push(`record ${line}: nothing to see here ${'.'.repeat(Math.floor(random() * 60))}`);
  }
  const faults = new Set<FaultKind>();
  for (const kind of FAULT_KINDS) if (random() < faultRate) faults.add(kind);
  const abort = random() < abortRate;
  return {
    index,
    token,
    context: lines.join('\n'),
    faults,
    ...(abort ? { abortAfterMs: Math.floor(random() * 2_000) } : {}),
    hit: new Set(),
  };
}

const EXTRACT = `import re\ntok = re.search(r"${TOKEN_PATTERN}", context).group(0)\nprint(len(context), "chars")`;
const SUBCALL = 'echo = llm_query_batched([f"echo {tok}", f"again {tok}"])\nprint(echo)';
/** Self-sufficient: works after a restart (state lost) or a failed sub-call. */
const FINISH = [
  'import re',
  'if "tok" not in globals():',
  `    tok = re.search(r"${TOKEN_PATTERN}", context).group(0)`,
  'for attempt in range(3):',
  '    if "echo" in globals() and echo[0].endswith(tok):',
  '        break',
  '    echo = llm_query_batched([f"echo {tok}", f"again {tok}"])',
  'FINAL(echo[0].split()[-1])',
].join('\n');

function fence(code: string): string {
  return `\`\`\`repl\n${code}\n\`\`\``;
}

/** Runs the soak and reports. Never throws for run failures: they are in the report. */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const sandboxKind = options.sandbox ?? 'local';
  const abortRate = options.abortRate ?? 0.1;
  const faultRate = options.faultRate ?? 0.08;
  const hangMs = options.hangMs ?? 120_000;
  const log = options.log ?? (() => undefined);
  const random = prng(options.seed);
  const plans = Array.from({ length: options.runs }, (_, index) => makePlan(index, random, abortRate, faultRate));
  const byToken = new Map(plans.map((plan) => [plan.token, plan]));

  const tmp = usePrivateTmpdir('rlms-soak-');
  const mark = createProcessMark('RLMS_SOAK_MARK');
  const baseline = await takeBaseline();
  let peakRss = baseline.memory.rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 250);
  sampler.unref();

  let inner: SandboxProviderV1;
  if (sandboxKind === 'pyodide') {
    const { createPyodideSandbox } = await import('@rlms/sandbox-pyodide');
    inner = createPyodideSandbox({ warmPoolSize: 2, interruptGraceMs: 1_000, memoryLimitMiB: 256 });
  } else {
    inner = createLocalSandbox({ env: mark.env, interruptGraceMs: 1_000 });
  }
  const sandbox = trackSandbox(inner);

  const planOf = (call: MockCall): RunPlan => {
    const index = Number(/run #(\d+)/.exec(call.messages.find((message) => message.role === 'user')?.content ?? '')?.[1]);
    const plan = plans[index];
    if (plan === undefined) throw new Error(`soak: the root model got a call of no known run: ${call.prompt.slice(0, 120)}`);
    return plan;
  };

  const root = new MockModel({
    modelId: 'soak-root',
    replies: (call) => {
      const plan = planOf(call);
      const iteration = call.messages.filter((message) => message.role === 'assistant').length;
      if (call.prompt.startsWith('The run must stop now')) return 'FINAL(closing answer)';
      const delayMs = plan.faults.has('slow-model') ? 50 + Math.floor(random() * 250) : 0;
      if (delayMs > 0) plan.hit.add('slow-model');
      if (iteration === 1 && plan.faults.has('model-retryable') && !plan.hit.has('model-retryable')) {
        plan.hit.add('model-retryable');
        return new ModelProviderError('soak: injected 429', { provider: 'mock', modelId: 'soak-root', statusCode: 429, retryable: true, retryAfterMs: 10 });
      }
      if (iteration === 1 && plan.faults.has('model-fatal')) {
        plan.hit.add('model-fatal');
        return new ModelProviderError('soak: injected 401', { provider: 'mock', modelId: 'soak-root', statusCode: 401, retryable: false, code: 'authentication' });
      }
      let code: string;
      if (iteration === 0) {
        code = EXTRACT;
        if (plan.faults.has('execution-timeout')) {
          plan.hit.add('execution-timeout');
          code += '\nimport time\ntime.sleep(30)';
        }
      } else if (iteration === 1) {
        code = SUBCALL;
        if (plan.faults.has('interpreter-crash')) {
          plan.hit.add('interpreter-crash');
          code = `import os\nos._exit(1)\n${code}`;
        }
      } else code = FINISH;
      return { text: `Step ${iteration}.\n${fence(code)}`, delayMs };
    },
  });

  const sub = new MockModel({
    modelId: 'soak-sub',
    replies: ({ prompt }) => {
      const token = new RegExp(TOKEN_PATTERN).exec(prompt)?.[0];
      const plan = token === undefined ? undefined : byToken.get(token);
      if (plan?.faults.has('subcall-error') && !plan.hit.has('subcall-error')) {
        plan.hit.add('subcall-error');
        return new RLMError('soak: injected sub-model failure', { code: 'soak-sub-failure' });
      }
      return prompt;
    },
  });

  const rlm = createRLM({
    model: root,
    subModel: sub,
    sandbox,
    maxIterations: 8,
    maxRetries: 2,
    maxSandboxRestarts: 2,
    executionTimeoutMs: 2_000,
    maxSubcallConcurrency: 8,
  });

  const statuses: Record<RunStatus, number> = { completed: 0, max_iterations: 0, budget_exhausted: 0, timeout: 0, aborted: 0, error: 0 };
  const unexpected: string[] = [];
  let crossTalk = 0;
  let aborts = 0;
  let hung = 0;
  let restarts = 0;
  let subcalls = 0;
  let finished = 0;
  const started = Date.now();

  async function one(plan: RunPlan): Promise<void> {
    const controller = new AbortController();
    let abortFired = false;
    const abortTimer =
      plan.abortAfterMs === undefined
        ? undefined
        : setTimeout(() => {
            abortFired = true;
            controller.abort(new Error('soak: random abort'));
          }, plan.abortAfterMs);
    let hangTimer: NodeJS.Timeout | undefined;
    const hang = new Promise<'hung'>((resolve) => {
      hangTimer = setTimeout(() => resolve('hung'), hangMs);
    });
    const query = rlm.query({
      context: plan.context,
      question: `Soak run #${plan.index}: what is the secret token? Answer with the token only.`,
      abortSignal: controller.signal,
      onEvent: (event) => {
        if (event.type === 'sandbox-restart') restarts++;
      },
    });
    const outcome = await Promise.race([query, hang]);
    clearTimeout(abortTimer);
    clearTimeout(hangTimer);
    if (outcome === 'hung') {
      hung++;
      unexpected.push(`run #${plan.index} did not end within ${hangMs} ms`);
      controller.abort();
      await query.catch(() => undefined);
      return;
    }
    const result = outcome;
    statuses[result.status]++;
    subcalls += result.subcalls;
    if (abortFired) aborts++;
    const answer = String(result.answer);
    if (result.status === 'completed' && answer !== plan.token) {
      if (byToken.has(answer)) crossTalk++;
      unexpected.push(`run #${plan.index} completed with ${JSON.stringify(answer.slice(0, 80))} instead of its token ${plan.token}`);
    }
    const expected: RunStatus[] = abortFired ? ['aborted', 'completed', 'error'] : plan.hit.has('model-fatal') ? ['error'] : ['completed'];
    if (abortFired && result.status === 'error' && !plan.hit.has('model-fatal')) {
      unexpected.push(`run #${plan.index} (aborted) ended with error: ${result.statusDetail}`);
    } else if (!expected.includes(result.status)) {
      unexpected.push(
        `run #${plan.index} ended ${result.status} (expected ${expected.join('/')}; faults ${[...plan.faults].join(',') || 'none'}): ${result.statusDetail ?? ''}`,
      );
    }
  }

  let next = 0;
  async function worker(): Promise<void> {
    for (;;) {
      const plan = plans[next++];
      if (plan === undefined) return;
      try {
        await one(plan);
      } catch (error) {
        unexpected.push(`run #${plan.index} threw: ${(error as Error).stack ?? String(error)}`);
      }
      finished++;
      if (finished % Math.max(1, Math.floor(options.runs / 10)) === 0) {
        log(`[soak] ${finished}/${options.runs} runs, ${Math.round((Date.now() - started) / 1000)} s, rss ${Math.round(process.memoryUsage.rss() / 1e6)} MB`);
      }
    }
  }
  await Promise.all(Array.from({ length: Math.min(options.concurrency, options.runs) }, () => worker()));
  const durationMs = Date.now() - started;

  if (sandbox.live !== 0) unexpected.push(`${sandbox.live} sandbox sessions were still alive after every run had ended`);
  await sandbox.close?.();
  clearInterval(sampler);
  const leaks = await checkLeaks({ baseline, mark, tmp });
  tmp.dispose();

  const faults = Object.fromEntries(FAULT_KINDS.map((kind) => [kind, plans.filter((plan) => plan.hit.has(kind)).length])) as Record<FaultKind, number>;
  return {
    runs: options.runs,
    concurrency: options.concurrency,
    seed: options.seed,
    sandbox: sandboxKind,
    durationMs,
    statuses,
    faults,
    aborts,
    crossTalk,
    unexpected,
    hung,
    sessions: sandbox.created,
    restarts,
    subcalls,
    leaks,
    leaked: leakCount(leaks),
    memory: { baselineRss: baseline.memory.rss, peakRss, afterRss: baseline.memory.rss + leaks.rssGrowth, heapGrowth: leaks.heapGrowth },
  };
}

/** A short human-readable summary of a report. */
export function formatSoakReport(report: SoakReport): string {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
  const faults = Object.entries(report.faults).map(([kind, count]) => `${kind} ${count}`).join(', ');
  const statuses = Object.entries(report.statuses).filter(([, count]) => count > 0).map(([status, count]) => `${status} ${count}`).join(', ');
  return [
    `soak: ${report.runs} runs, ${report.concurrency} concurrent, ${report.sandbox} sandbox, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s`,
    `  statuses: ${statuses}`,
    `  faults hit: ${faults}; aborts fired: ${report.aborts}`,
    `  sessions ${report.sessions}, sandbox restarts ${report.restarts}, sub-calls ${report.subcalls}`,
    `  cross-talk: ${report.crossTalk}; hung runs: ${report.hung}; unexpected outcomes: ${report.unexpected.length}`,
    `  leaks: ${report.leaked} (processes ${report.leaks.markedProcesses.length + report.leaks.pythonChildren.length}, temp entries ${report.leaks.tempEntries.length}, handles ${JSON.stringify(report.leaks.handleGrowth)}, threads +${report.leaks.extraThreads})`,
    `  memory: rss baseline ${mb(report.memory.baselineRss)}, peak ${mb(report.memory.peakRss)}, after GC ${mb(report.memory.afterRss)}; heap growth ${mb(report.memory.heapGrowth)}`,
    ...report.unexpected.slice(0, 20).map((line) => `  ! ${line}`),
  ].join('\n');
}
