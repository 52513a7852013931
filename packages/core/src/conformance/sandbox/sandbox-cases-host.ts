import { expect } from 'vitest';
import type { SuiteHarness } from './sandbox-suite-harness.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Host calls: llm_query (single, batched, threads), failures, rlm_query, tools, unicode. */
export function defineHostCases(h: SuiteHarness): void {
  h.defineCase('llm-query', 'llm_query round-trips through the host', async () => {
    const { session, host } = await h.shared();
    const result = await h.runOk(session, "rlms_r = llm_query('ping')\nprint(rlms_r)\nprint(llm_query('q', model='small'))");
    expect(result.stdout).toBe('llm:ping\nllm:q\n');
    expect(host.calls).toEqual([
      { op: 'llm_query', prompt: 'ping' },
      { op: 'llm_query', prompt: 'q', model: 'small' },
    ]);
    const wrong = await session.execute('llm_query(123)');
    expect(wrong.error?.type).toBe('TypeError');
    expect(host.calls).toHaveLength(2);
  });

  h.defineCase('llm-query-batched', 'llm_query_batched of 8 prompts is one host call', async () => {
    const { session, host } = await h.shared();
    const result = await h.runOk(session, "rlms_rs = llm_query_batched([f'p{i}' for i in range(8)])\nprint(rlms_rs)");
    const expected = Array.from({ length: 8 }, (_, index) => `'llm:p${index}'`).join(', ');
    expect(result.stdout).toBe(`[${expected}]\n`);
    expect(host.calls).toEqual([{ op: 'llm_query_batched', prompts: Array.from({ length: 8 }, (_, i) => `p${i}`) }]);
  });

  h.defineCase(
    'llm-query-threads',
    '4 Python threads calling llm_query have host calls in flight together',
    async () => {
      const { session, host } = await h.shared();
      host.holdUntilConcurrent(2, 5_000);
      const result = await h.runOk(
        session,
        'from concurrent.futures import ThreadPoolExecutor\n' +
          'with ThreadPoolExecutor(max_workers=4) as pool:\n' +
          "    rlms_answers = list(pool.map(llm_query, ['t0', 't1', 't2', 't3']))\n" +
          'print(rlms_answers)',
      );
      expect(result.stdout).toBe("['llm:t0', 'llm:t1', 'llm:t2', 'llm:t3']\n");
      expect(host.calls).toHaveLength(4);
      expect(host.maxInFlight).toBeGreaterThanOrEqual(2);
    },
    (capabilities) => (capabilities.threads ? undefined : 'capabilities.threads is false'),
  );

  h.defineCase('host-error', 'a failing host call raises a catchable Python exception', async () => {
    const { session, host } = await h.shared();
    host.failWhen(
      (call) => call.op === 'llm_query' && call.prompt === 'explode',
      () => Object.assign(new Error('bad prompt'), { pythonType: 'ValueError' }),
    );
    host.failWhen((call) => call.op === 'llm_query' && call.prompt === 'crash', () => new Error('backend down'));
    const caught = await h.runOk(
      session,
      'try:\n    llm_query("explode")\nexcept ValueError as e:\n    print("ValueError", e)\n' +
        'try:\n    llm_query("crash")\nexcept RuntimeError as e:\n    print("RuntimeError", e)\n' +
        'print(llm_query("fine"))',
    );
    expect(caught.stdout).toMatch(/^ValueError bad prompt\nRuntimeError .*backend down\nllm:fine\n$/);
    const uncaught = await session.execute('llm_query("crash")');
    expect(uncaught.error?.type).toBe('RuntimeError');
    expect(uncaught.error?.message).toContain('backend down');
    expect((await h.runOk(session, '1')).stdout).toBe('1\n');
  });

  h.defineCase('rlm-query', 'rlm_query and rlm_query_batched reach the host with their contexts', async () => {
    const { session, host } = await h.shared();
    const result = await h.runOk(
      session,
      "print(rlm_query('sub question', context={'doc': 'text', 'n': [1, 2.5, None]}))\n" +
        "print(rlm_query('no context'))\n" +
        "print(rlm_query_batched(['a', 'b'], contexts=['ctx-a', {'k': 'ctx-b'}]))\n" +
        "print(rlm_query_batched(['c']))",
    );
    expect(result.stdout).toBe("rlm:sub question\nrlm:no context\n['rlm:a', 'rlm:b']\n['rlm:c']\n");
    expect(host.calls).toEqual([
      { op: 'rlm_query', prompt: 'sub question', context: { doc: 'text', n: [1, 2.5, null] } },
      { op: 'rlm_query', prompt: 'no context' },
      { op: 'rlm_query_batched', prompts: ['a', 'b'], contexts: ['ctx-a', { k: 'ctx-b' }] },
      { op: 'rlm_query_batched', prompts: ['c'] },
    ]);
    const mismatch = await session.execute("rlm_query_batched(['a', 'b'], contexts=['only one'])");
    expect(mismatch.error?.type).toBe('ValueError');
    expect(host.calls).toHaveLength(4);
  });

  h.defineCase('tools', 'user tools are Python functions calling the host with keyword arguments', async () => {
    const { session, host } = await h.shared();
    const result = await h.runOk(
      session,
      "print(lookup(key='alpha', limit=3))\nprint(lookup('beta'))\nprint('Look up a key' in lookup.__doc__)",
    );
    expect(result.stdout).toBe(
      "{'tool': 'lookup', 'args': {'key': 'alpha', 'limit': 3}}\n{'tool': 'lookup', 'args': {'key': 'beta'}}\nTrue\n",
    );
    expect(host.calls).toEqual([
      { op: 'tool', name: 'lookup', args: { key: 'alpha', limit: 3 } },
      { op: 'tool', name: 'lookup', args: { key: 'beta' } },
    ]);
    const missing = await session.execute('lookup()');
    expect(missing.error?.type).toBe('TypeError');
    expect(host.calls).toHaveLength(2);
  });

  h.defineCase('unicode', 'emoji, CJK and RTL text round-trip through context, code, output and host calls', async () => {
    const { session, host } = await h.shared();
    const text = 'emoji 😀🎉, 中文字符, 日本語, עברית, é, 𝔘𝔫𝔦𝔠𝔬𝔡𝔢';
    const info = await session.loadContext({ format: 'text', bytes: new TextEncoder().encode(text) });
    expect(info).toEqual({ type: 'str', length: [...text].length, bytes: new TextEncoder().encode(text).length });
    const result = await h.runOk(
      session,
      "print(context)\n名前 = '世界 🌍'\nprint(名前, len('😀'))\nprint(llm_query('你好 🌍 ' + 名前))",
    );
    expect(result.stdout).toBe(`${text}\n世界 🌍 1\nllm:你好 🌍 世界 🌍\n`);
    expect(LONE_SURROGATE.test(result.stdout)).toBe(false);
    expect(host.calls).toEqual([{ op: 'llm_query', prompt: '你好 🌍 世界 🌍' }]);

    const json = JSON.stringify({ '文档': '内容 🚀', list: ['ü', '😀'] });
    await session.loadContext({ format: 'json', bytes: new TextEncoder().encode(json) });
    const fromJson = await h.runOk(session, "FINAL(context['文档'] + context['list'][1])");
    expect(fromJson.final?.value).toBe('内容 🚀😀');
  });
}
