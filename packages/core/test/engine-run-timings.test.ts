import { afterAll, describe, expect, it } from 'vitest';
import { createRLM, describeRLMEvent, describeRunTimings, type RLMEvent } from '../src/index.js';
import { RunClock, unionMs } from '../src/engine/record/run-timings.js';
import { MockModel } from '../src/testing/index.js';
// The local sandbox is a sibling workspace package; importing its source keeps core free of a dependency cycle.
import { createLocalSandbox } from '../../sandbox-local/src/index.js';

const sandbox = createLocalSandbox();
afterAll(() => sandbox.close?.());

describe('run timings', () => {
  it('adds up overlapping sub-call intervals once', () => {
    expect(unionMs([])).toBe(0);
    expect(unionMs([{ startedAt: 0, durationMs: 10 }, { startedAt: 5, durationMs: 10 }, { startedAt: 30, durationMs: 5 }])).toBe(20);
    expect(unionMs([{ startedAt: 100, durationMs: 50 }, { startedAt: 110, durationMs: 5 }])).toBe(50);
  });

  it('splits the sandbox start from the context load and counts cells', async () => {
    const clock = new RunClock(7);
    clock.sandboxReady(1_000, 300);
    clock.modelCall(40);
    clock.modelCall(60);
    expect(await clock.cell(async () => 'ran')).toBe('ran');
    const timings = clock.finish([]);
    expect(timings).toMatchObject({ prepareMs: 7, sandboxStartMs: 700, loadContextMs: 300, modelWaitMs: 100, subcallsMs: 0, cells: 1 });
    expect(timings.pythonAndTransferMs).toBe(timings.cellsMs);
  });

  it('leaves the sandbox start a first cell waits for out of the cell time', async () => {
    const clock = new RunClock();
    await clock.cell(async () => {
      clock.sandboxReady(1_000_000, 0);
      clock.sandboxWait(1_000_000);
    });
    const timings = clock.finish([]);
    expect(timings.sandboxStartMs).toBe(1_000_000);
    // The cell itself took far less than the million ms reported as sandbox start.
    expect(timings.cellsMs).toBe(0);
    expect(timings.pythonAndTransferMs).toBe(0);
  });

  it('records where an RLM run spent its time in the trajectory', async () => {
    const root = new MockModel({
      replies: [
        '```repl\nparts = llm_query_batched([f"word {w}" for w in context.split()])\nprint(parts)\n```',
        '```repl\nFINAL(" ".join(parts))\n```',
      ],
    });
    const sub = new MockModel({ replies: ({ prompt }) => prompt.toUpperCase() });
    const rlm = createRLM({ model: root, subModel: sub, sandbox });
    const result = await rlm.query({ context: 'red green blue', question: 'Shout the words.' });
    expect(result.answer).toBe('WORD RED WORD GREEN WORD BLUE');
    const timings = result.trajectory.timings!;
    expect(timings).toBeDefined();
    expect(timings.cells).toBe(2);
    expect(timings.prepareMs).toBeGreaterThanOrEqual(0);
    // Sub-calls run inside cells; the rest of the cells' time is Python and transfer.
    expect(timings.subcallsMs).toBeLessThanOrEqual(timings.cellsMs + 1);
    expect(timings.pythonAndTransferMs).toBe(Math.max(0, timings.cellsMs - timings.subcallsMs));
    expect(describeRunTimings(timings)).toMatch(/^Time: prepare .* · sandbox start .* · context load .* · root model .* · 2 cells .* \(sub-calls .*, Python and transfer .*\)\.$/);
  });

  it('says in sandbox-ready how the interpreter started, when the sandbox reports it', async () => {
    const fromDisk = {
      ...sandbox,
      createSession: async (options: Parameters<typeof sandbox.createSession>[0]) => Object.assign(await sandbox.createSession(options), { snapshot: 'disk' as const }),
    };
    const events: RLMEvent[] = [];
    const rlm = createRLM({ model: new MockModel({ replies: ['```repl\nFINAL("ok")\n```'] }), sandbox: fromDisk });
    const result = await rlm.query({ context: 'x', question: 'q', onEvent: (event) => events.push(event) });
    expect(result.answer).toBe('ok');
    const ready = events.find((event) => event.type === 'sandbox-ready');
    expect(ready).toMatchObject({ type: 'sandbox-ready', snapshot: 'disk' });
    expect(describeRLMEvent(ready!)).toContain('restored from the snapshot on disk');
    // A sandbox that does not report it: no field, no words.
    const plain: RLMEvent[] = [];
    await createRLM({ model: new MockModel({ replies: ['```repl\nFINAL("ok")\n```'] }), sandbox }).query({ context: 'x', question: 'q', onEvent: (event) => plain.push(event) });
    expect(plain.find((event) => event.type === 'sandbox-ready')).not.toHaveProperty('snapshot');
  });

  it('leaves timings out of direct runs', async () => {
    const rlm = createRLM({ model: new MockModel({ replies: ['Forty-two.'] }), sandbox });
    const result = await rlm.query({ context: 'x', question: 'q', mode: 'direct' });
    expect(result.trajectory.timings).toBeUndefined();
  });
});
