import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRLM, type Trajectory } from '../../engine/index.js';
import type { ModelProviderV1 } from '../../spec/model-provider-v1.js';
import type { SandboxProviderV1 } from '../../spec/sandbox-provider-v1.js';
import { MockModel } from '../../testing/mock/mock-model.js';
import { trackSandbox } from '../../testing/e2e/tracking-sandbox.js';
import { engineScenarios } from './engine-scenarios.js';

/** Options of the end-to-end RLM suite. */
export interface RLMEndToEndOptions {
  /** Names the `describe` block. */
  readonly name: string;
  /** The sandbox under test (called once; closed after the suite when it has `close`). */
  readonly sandbox: () => SandboxProviderV1 | Promise<SandboxProviderV1>;
  /**
   * The root model under test, scripted with the replies it must give in order. Default: `MockModel`.
   * Model adapters pass a factory building their model over a scripted fake (a test server, a fake chat model…).
   */
  readonly rootModel?: (replies: readonly string[]) => ModelProviderV1 | Promise<ModelProviderV1>;
  /** Size of the generated context in bytes. Default 10 MB. */
  readonly contextBytes?: number;
  /** Run only the main scenario (for model adapters); default runs depth and failure scenarios too. */
  readonly scenarios?: 'main' | 'all';
}

/** Builds a log-like text of about `bytes` bytes with `incidents` lines matching `INCIDENT-<n>: …`. */
export function makeHaystack(bytes: number, incidents: number): string {
  const line = (i: number) => `2026-01-01T00:00:${String(i % 60).padStart(2, '0')}Z worker-${i % 7} ok request served in ${i % 97} ms\n`;
  const lines: string[] = [];
  let size = 0;
  let i = 0;
  const every = Math.max(1, Math.floor(bytes / 80 / (incidents + 1)));
  let placed = 0;
  while (size < bytes) {
    const text = placed < incidents && i > 0 && i % every === 0 ? `INCIDENT-${++placed}: disk full on node-${placed % 5}\n` : line(i);
    lines.push(text);
    size += text.length;
    i++;
  }
  return lines.join('');
}

const MAIN_SCRIPT = [
  'I will look at the context first.\n```repl\nprint(type(context).__name__, len(context))\nprint(context[:120])\n```',
  [
    'Now grep for incidents and summarise them in parallel.',
    '```repl',
    'import re',
    'hits = re.findall(r"INCIDENT-\\d+: [^\\n]*", context)',
    'print(len(hits), "incidents")',
    'chunks = [hits[i:i + 5] for i in range(0, len(hits), 5)]',
    'answers = llm_query_batched(["Summarise these lines:\\n" + "\\n".join(c) for c in chunks])',
    'print(answers)',
    '```',
  ].join('\n'),
  '```repl\nresult = f"{len(hits)} incidents; " + " | ".join(answers)\nFINAL_VAR("result")\n```',
];

/** Sub-model used by the suite: answers with the number of lines it was given. */
function summariser(): MockModel {
  return new MockModel({
    modelId: 'mock-sub',
    replies: ({ prompt }) => `summary of ${prompt.split('\n').length - 1} lines`,
  });
}

/**
 * The core end-to-end RLM test, run against any sandbox and any root model: a 10 MB context, code
 * that greps it, calls `llm_query_batched` on chunks and finishes with `FINAL_VAR`; plus (with
 * `scenarios: 'all'`) a depth-2 child run and the failure cases every sandbox must survive.
 */
export function testRLMEndToEnd(options: RLMEndToEndOptions): void {
  const rootModel = options.rootModel ?? ((replies) => new MockModel({ modelId: 'mock-root', replies }));
  let provider: SandboxProviderV1 | undefined;
  const sandbox = async () => (provider ??= await options.sandbox());
  let tempDir: string | undefined;

  describe(`RLM end to end: ${options.name}`, () => {
    afterAll(async () => {
      await provider?.close?.();
      if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
    });

    it(`answers over a ${Math.round((options.contextBytes ?? 10_000_000) / 1_000_000)} MB context with grep + llm_query_batched + FINAL_VAR`, async () => {
      const incidents = 20;
      const context = makeHaystack(options.contextBytes ?? 10_000_000, incidents);
      const tracked = trackSandbox(await sandbox());
      const sub = summariser();
      const rlm = createRLM({ model: await rootModel(MAIN_SCRIPT), subModel: sub, sandbox: tracked, maxSubcallConcurrency: 4 });
      tempDir ??= await mkdtemp(join(tmpdir(), 'rlms-e2e-'));
      const path = join(tempDir, 'logs', 'trajectory.json');
      const events: string[] = [];
      const result = await rlm.query({ context, question: 'How many incidents are there, and what are they?', saveTrajectory: path, onEvent: (event) => events.push(event.type) });

      expect(result.statusDetail ?? '').toBe('');
      expect(result.status).toBe('completed');
      expect(result.answer).toBe(`${incidents} incidents; ` + Array.from({ length: 4 }, () => 'summary of 5 lines').join(' | '));
      expect(result.iterations).toBe(3);
      expect(result.subcalls).toBe(4);
      expect(result.usage.total.calls).toBe(7);
      expect(result.usage.byDepth[0]?.calls).toBe(3);
      expect(result.usage.byDepth[1]?.calls).toBe(4);
      expect(result.usage.byModel['mock:mock-sub']?.calls).toBe(4);
      expect(sub.calls).toHaveLength(4);
      expect(sub.maxInFlight).toBeGreaterThan(1);
      expect(sub.maxInFlight).toBeLessThanOrEqual(4);
      expect(tracked.live).toBe(0);
      expect(events[0]).toBe('run-start');
      expect(events.at(-1)).toBe('run-end');
      expect(events.filter((type) => type === 'subcall-end')).toHaveLength(4);

      const saved = JSON.parse(await readFile(path, 'utf8')) as Trajectory;
      expect(saved.steps).toHaveLength(3);
      expect(saved.steps[1]!.subcalls).toHaveLength(4);
      expect(saved.steps[1]!.observation.executions[0]!.result.stdout).toContain(`${incidents} incidents`);
      expect(saved.steps.every((step) => typeof step.action.response === 'string')).toBe(true);
      expect(saved.context.metadata.totalChars).toBe(context.length);
      expect(saved.result?.answer).toBe(result.answer);
    });

    if (options.scenarios === 'main') return;

    it('maxDepth 2: rlm_query runs a child with its own REPL, counted in the parent totals', async () => {
      const tracked = trackSandbox(await sandbox());
      const rlm = createRLM({
        model: await rootModel([
          '```repl\nparent_var = 1\nr = rlm_query("How many items?", context=["a", "b", "c"])\nprint(r)\n```',
          '```repl\nFINAL(f"child sees parent_var: {\'parent_var\' in globals()}; items={len(context)}")\n```',
          '```repl\nFINAL(r)\n```',
        ]),
        subModel: summariser(),
        sandbox: tracked,
        maxDepth: 2,
      });
      const result = await rlm.query({ context: 'parent context', question: 'Delegate.' });
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('child sees parent_var: False; items=3');
      expect(tracked.created).toBe(2);
      expect(tracked.live).toBe(0);
      expect(result.usage.total.calls).toBe(3);
      expect(result.usage.byDepth[0]?.calls).toBe(2);
      expect(result.usage.byDepth[1]?.calls).toBe(1);
      const child = result.trajectory.steps[0]!.subcalls[0]!.child!;
      expect(child.depth).toBe(1);
      expect(child.steps).toHaveLength(1);
      expect(child.result?.status).toBe('completed');
      // The child reports its own subtree; the parent's totals include it.
      expect(child.result?.usage.total.calls).toBe(1);
      expect(child.result?.subcalls).toBe(0);
      expect(result.subcalls).toBe(1);
    });

    it('survives a broken cell, a failing sub-call and an undefined FINAL_VAR, then completes', async () => {
      const tracked = trackSandbox(await sandbox());
      const failing = new MockModel({ modelId: 'mock-sub', replies: () => new Error('sub-model exploded') });
      const rlm = createRLM({
        model: await rootModel([
          '```repl\ndef broken(:\n```',
          '```repl\ntry:\n    llm_query("hi")\nexcept Exception as error:\n    caught = str(error)\nprint(caught)\n```',
          '```repl\nFINAL_VAR("never_defined")\n```',
          '```repl\nFINAL(caught)\n```',
        ]),
        subModel: failing,
        sandbox: tracked,
      });
      const result = await rlm.query({ context: 'x', question: 'q' });
      expect(result.status).toBe('completed');
      expect(result.answer).toContain('sub-model exploded');
      expect(result.iterations).toBe(4);
      expect(result.trajectory.steps[0]!.observation.feedback).toContain('SyntaxError');
      expect(result.trajectory.steps[2]!.observation.feedback).toContain('NameError');
      expect(tracked.live).toBe(0);
    });

    engineScenarios(sandbox, rootModel);
  });
}
