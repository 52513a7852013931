/**
 * What real models write (issue 20): each case is the shape of a real recorded root response (short
 * snippets quoted inline; the corpus itself stays outside this repository), run through the public
 * API (`createRLM` + `MockModel`) on the local sandbox and on Pyodide.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, createRLM, type RLMResult, type RLMSettings, type SandboxProviderV1 } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createPyodideSandbox } from '@rlms/sandbox-pyodide';
import { usePrivateTmpdir } from '../src/private-tmpdir.ts';

const SANDBOXES: readonly { name: string; create: () => SandboxProviderV1 }[] = [
  { name: 'local', create: () => createLocalSandbox() },
  { name: 'pyodide', create: () => createPyodideSandbox({ warmPoolSize: 1 }) },
];

const CONTEXT = 'Sansa Stark secretly sent a raven to Petyr Baelish requesting the Knights of the Vale.';

interface Shaped {
  readonly result: RLMResult<unknown>;
  readonly root: MockModel;
  /** The feedback the engine recorded for each step (what the model was told). */
  readonly feedback: readonly string[];
}

async function runShape(
  sandbox: SandboxProviderV1,
  replies: readonly string[],
  settings: Partial<Omit<RLMSettings, 'model' | 'sandbox'>> = {},
): Promise<Shaped> {
  const root = new MockModel({ modelId: 'real-shape-root', replies: ({ index }) => replies[Math.min(index, replies.length - 1)] ?? '' });
  const sub = new MockModel({ modelId: 'real-shape-sub', replies: () => 'sub answer' });
  const rlm = createRLM({ maxIterations: 4, executionTimeoutMs: 20_000, ...settings, model: root, subModel: sub, sandbox });
  const result = await rlm.query({ context: CONTEXT, question: 'Who was the central ally of the main character?' });
  const feedback = result.trajectory.steps.map((step) => String(step.observation.feedback));
  return { result, root, feedback };
}

for (const { name, create } of SANDBOXES) {
  describe.concurrent(`real model shapes × ${name} sandbox`, () => {
    let sandbox: SandboxProviderV1;
    let tmp: ReturnType<typeof usePrivateTmpdir>;
    beforeAll(() => {
      tmp = usePrivateTmpdir();
      sandbox = create();
    });
    afterAll(async () => {
      await sandbox.close?.();
      tmp.dispose();
    });

    // 1. A final line outside the fence after the code of the same response.
    it('1: accepts FINAL_VAR(final_answer) written after a ```repl block, read after the code ran (qwen2.5:14b)', async () => {
      const { result } = await runShape(sandbox, [
        "Let's summarize this information as our final answer.\n\n```repl\nfinal_answer = \"The provided context does not specify the distribution of problems by difficulty levels (Easy, Medium, Hard).\"\nprint(final_answer)\n```\nFINAL_VAR(final_answer)",
      ]);
      expect(result.status).toBe('completed');
      expect(result.iterations).toBe(1);
      expect(result.answer).toBe('The provided context does not specify the distribution of problems by difficulty levels (Easy, Medium, Hard).');
    });

    it('1: tells the model why a final line after failing code was not accepted, never dropping it silently', async () => {
      const { result, feedback } = await runShape(sandbox, [
        '```repl\nfinal_answer = undefined_helper(context)\n```\nFINAL_VAR(final_answer)',
        '```repl\nFINAL("fixed")\n```',
      ]);
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('fixed');
      expect(feedback[0]).toContain('Your FINAL_VAR(final_answer) line after the code was not accepted because code block 1 raised NameError');
    });

    it('1: tells the model a FINAL written before its code was not accepted', async () => {
      const { result, feedback } = await runShape(sandbox, ['FINAL(too early)\n```repl\nprint(len(context))\n```', '```repl\nFINAL("seen")\n```']);
      expect(result.answer).toBe('seen');
      expect(feedback[0]).toContain('Your FINAL(too early) line came before your code, so it was not accepted');
    });

    // 2. FINAL_VAR with the variable itself.
    it('2: FINAL_VAR(answer) with the variable itself (a str) finishes with its value (llama-3.3-70b)', async () => {
      const { result } = await runShape(sandbox, [
        '```repl\nmain_character = "Jon Snow"\ndecisive_ally = "Sansa Stark"\nanswer = f"The main character is {main_character} and their most decisive ally is {decisive_ally}."\nprint(answer)\n```',
        '```repl\nFINAL_VAR(answer)\n```',
      ]);
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('The main character is Jon Snow and their most decisive ally is Sansa Stark.');
      expect(result.trajectory.steps[1]!.observation.executions[0]!.result.final?.variableName).toBe('answer');
    });

    // 3. FINAL(...) in a ```python block that does not compile or call, and in ```final fences.
    it('3: reads ```python FINAL(Sansa Stark)``` (a SyntaxError) with the text rule (qwen2.5:14b)', async () => {
      const { result, feedback } = await runShape(sandbox, [
        'Using this information, let\'s identify the central ally.\n```repl\ncentral_ally = "Sansa Stark"\nprint(central_ally)\n```\nNow I can state my final answer:\n```python\nFINAL(Sansa Stark)\n```',
      ]);
      expect(result.status).toBe('completed');
      expect(result.iterations).toBe(1);
      expect(result.answer).toBe('Sansa Stark');
      expect(feedback[0]).toContain('its FINAL line is not valid Python, so it was read as text');
    });

    it('3: reads FINAL([0, 1, 3, 2, 4], 26.598724516593654) (a TypeError: two arguments) with the text rule (qwen2.5:7b)', async () => {
      const { result } = await runShape(sandbox, ['```repl\nbest_cost = 26.598724516593654\n```\n```python\nFINAL([0, 1, 3, 2, 4], 26.598724516593654)\n```']);
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('[0, 1, 3, 2, 4], 26.598724516593654');
    });

    it('3: runs the rest of a block whose only SyntaxError is its FINAL line, then answers', async () => {
      const { result } = await runShape(sandbox, ['```python\nally = "Sansa"\nprint(ally)\nFINAL(Sansa Stark)\n```', '```repl\nFINAL(ally)\n```']);
      expect(result.answer).toBe('Sansa Stark');
      expect(result.iterations).toBe(1);
    });

    it('3: reads a FINAL line inside ```final and ```instruct fences', async () => {
      const final = await runShape(sandbox, ['The answer is clear.\n```final\nFINAL(Sansa Stark)\n```']);
      expect(final.result.answer).toBe('Sansa Stark');
      const instruct = await runShape(sandbox, ['```repl\nally = "Sansa Stark"\n```\n```instruct\nFINAL_VAR(ally)\n```']);
      expect(instruct.result.answer).toBe('Sansa Stark');
      expect(instruct.result.iterations).toBe(1);
    });

    // 4. A closing fence glued to text.
    it('4: a fence line with glued text (```atical, ```relude) closes the code block (qwen2.5:7b)', async () => {
      const { result } = await runShape(sandbox, [
        "Let's print out the entire context.\n```repl\nprint(context[:11])\n```atical output from the context. This will help us proceed with our\nanalysis.\n```\n<tool_call>\n```repl\nfirst = context.split()[0]\n```relude",
        '```repl\nFINAL(first)\n```',
      ]);
      const executions = result.trajectory.steps[0]!.observation.executions;
      expect(executions.map((execution) => execution.result.error?.type)).toEqual([undefined, undefined]);
      expect(executions[0]!.result.stdout).toContain('Sansa Stark');
      expect(result.answer).toBe('Sansa');
    });

    // 5. context_0.
    it('5: context_0 is the context (the reference RLM loads it under that name)', async () => {
      const { result } = await runShape(sandbox, ['```repl\nFINAL(context_0[:11] if context_0 is context else "different")\n```']);
      expect(result.answer).toBe('Sansa Stark');
    });

    // 6. A text FINAL(name) naming a REPL variable.
    it('6: text FINAL(final_answer) after code answers with the variable, and says so (llama-3.3-70b)', async () => {
      const { result, feedback } = await runShape(sandbox, [
        'I will re-examine the context.\n\n```repl\n# Extract the allergy flag for subject PT-2247\nallergy_flag_PT_2247 = "PCN-HIGH"\nfinal_answer = "Q1: " + allergy_flag_PT_2247\n```\nFINAL(final_answer)',
      ]);
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('Q1: PCN-HIGH');
      expect(feedback[0]).toContain('`final_answer` is a variable in the REPL, so the answer is its value, not its name');
    });

    it('6: a text FINAL(word) that names no variable answers with the word', async () => {
      const { result } = await runShape(sandbox, ['The ally is named in the context.\nFINAL(Sansa)']);
      expect(result.answer).toBe('Sansa');
    });

    // 7. Balanced parentheses, also in the closing "answer now" call.
    it('7: FINAL(42) followed by a sentence with parentheses answers 42', async () => {
      const { result } = await runShape(sandbox, ['The number is stated in the context.\n\nFINAL(42)\n\n(Found in the first sentence (chunk 1).)']);
      expect(result.answer).toBe('42');
    });

    it('7: the closing "answer now" reply is read with the same parser', async () => {
      const { result } = await runShape(sandbox, ['```repl\nprint(len(context))\n```', 'FINAL(Sansa Stark)\n(uncertain: only one sentence (line 1) mentions her)'], {
        maxIterations: 1,
      });
      expect(result.status).toBe('max_iterations');
      expect(result.answer).toBe('Sansa Stark');
    });

    // 8. llm_query mistakes.
    it('8: llm_query(p, model="gpt-3.5-turbo") names the configured models', async () => {
      const { feedback } = await runShape(sandbox, ["```repl\nllm_query('Summarize the distribution.', model='gpt-3.5-turbo')\n```", '```repl\nFINAL("ok")\n```']);
      expect(feedback[0]).toContain('model="gpt-3.5-turbo" is not a configured sub-model. Accepted names: "real-shape-sub"');
    });

    it("8: llm_query(p, {'context': context}) raises a TypeError saying what to pass (qwen2.5:14b)", async () => {
      const { feedback } = await runShape(sandbox, [
        "```repl\nquery_summary = llm_query(f\"Summarize the content of the context.\", {'context': context})\n```",
        '```repl\nFINAL("ok")\n```',
      ]);
      expect(feedback[0]).toContain('TypeError: llm_query(): the second argument is model=, the name of a sub-model (a str), got dict');
      expect(feedback[0]).toContain('put the text the sub-model needs into the prompt itself');
    });

    // 9. What the sandbox offers.
    it('9: the system prompt says whether native packages can be imported', async () => {
      const { root } = await runShape(sandbox, ['FINAL(x)']);
      const system = root.calls[0]!.system ?? '';
      if (sandbox.capabilities.nativePackages) expect(system).toContain('third-party packages installed in the sandbox');
      else expect(system).toContain("The REPL has Python's standard library only");
    });

    // 11. Output cut once, with the true count.
    it('11: output over maxOutputChars is cut once and the model is told the true count', async () => {
      const { feedback } = await runShape(sandbox, ["```repl\nprint('y' * 50_000)\n```", '```repl\nFINAL("cut")\n```'], { maxOutputChars: 10_000 });
      const counts = [...feedback[0]!.matchAll(/\[(\d+) characters truncated\]/g)].map((match) => Number(match[1]));
      expect(counts).toHaveLength(1);
      expect(counts[0]).toBeGreaterThanOrEqual(40_000);
    });

    // 12. Overwritten API names.
    it('12: FINAL = … and llm_query = … are restored after the cell, and the model is told', async () => {
      const { result, feedback } = await runShape(sandbox, ['```repl\nFINAL = "my final answer"\nllm_query = None\n```', '```repl\nFINAL(llm_query("q"))\n```']);
      expect(feedback[0]).toContain('Note: this cell assigned or deleted `llm_query`, `FINAL`, which are part of the rlms REPL API');
      expect(result.status).toBe('completed');
      expect(result.answer).toBe('sub answer');
    });

    // 14. Values crossing from JS to Python.
    it('14: Set, Map, NaN, Infinity and BigInt reach Python faithfully; a Map with number keys raises naming the path', async () => {
      const tools = {
        probe: {
          description: 'returns awkward JS values',
          execute: () => ({ tags: new Set(['a', 'b']), counts: new Map([['x', 1]]), ratio: Number.NaN, top: Number.POSITIVE_INFINITY, big: 2n ** 70n }),
        },
        broken: { description: 'returns a Map with number keys', execute: () => ({ nested: [new Map([[1, 'one']])] }) },
      };
      const { result, feedback } = await runShape(
        sandbox,
        [
          "```repl\nimport math\nr = probe()\nFINAL([sorted(r['tags']), r['counts'], math.isnan(r['ratio']), r['top'] == float('inf'), r['big'] == 2**70])\n```",
        ],
        { tools },
      );
      expect(result.answerValue).toEqual([['a', 'b'], { x: 1 }, true, true, true]);
      const bad = await runShape(sandbox, ['```repl\nbroken()\n```', '```repl\nFINAL("ok")\n```'], { tools });
      expect(bad.feedback[0]).toContain('TypeError: broken failed: broken() result.nested[0] is a Map with a number key');
      expect(feedback).toHaveLength(1);
    });
  });
}

// 13. Tool names: checked by createRLM, before any sandbox.
describe('13: createRLM rejects tool names that would shadow Python or the REPL', () => {
  const model = new MockModel({ replies: ['FINAL(x)'] });
  const sandbox = SANDBOXES[0]!.create();
  for (const name of ['print', 'len', 'open', 'for', 'history', 'context_1', 'FINAL']) {
    it(`rejects a tool named ${name}`, () => {
      let thrown: unknown;
      try {
        createRLM({ model, sandbox, tools: { [name]: { execute: () => 1 } } });
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ConfigurationError);
      expect((thrown as Error).message).toContain(`Tool name "${name}" is not usable in Python`);
      expect((thrown as Error).message).toMatch(/Rename the tool \(e\.g\. "[A-Za-z0-9_]+_tool"\)/);
    });
  }
  it('accepts an ordinary tool name', () => {
    expect(() => createRLM({ model, sandbox, tools: { search_docs: { execute: () => 1 } } })).not.toThrow();
  });
});
