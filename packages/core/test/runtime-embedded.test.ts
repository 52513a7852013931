import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { RUNTIME_PATH } from '../src/runtime/runtime-source.js';

const PYTHON = process.env.RLMS_PYTHON ?? 'python3';

/**
 * Runs `body` (Python) after `import rlms_runtime as r` with a recording host_call; whatever the
 * body stores in the dict `out` is returned as JSON.
 */
async function embedded(body: string): Promise<Record<string, any>> {
  const script = [
    'import json, os, sys',
    `sys.path.insert(0, ${JSON.stringify(dirname(RUNTIME_PATH))})`,
    'import rlms_runtime as r',
    'out = {"calls": []}',
    'def host_call(op, payload):',
    '    out["calls"].append([op, payload])',
    '    prompt = payload.get("prompt", "")',
    '    if prompt == "fail": raise r.error_from_host({"type": "KeyError", "message": "missing"})',
    '    if prompt == "custom": raise r.error_from_host({"type": "ModelProviderError", "message": "down"})',
    '    if op == "tool": return payload["args"]',
    '    return "ok:" + prompt',
    'rt = r.Runtime(host_call=host_call)',
    body,
    'sys.__stdout__.write(json.dumps(out))',
  ].join('\n');
  const { stdout } = await promisify(execFile)(PYTHON, ['-B', '-I', '-c', script], { encoding: 'utf8' });
  return JSON.parse(stdout) as Record<string, any>;
}

describe('rlms_runtime embedded Runtime API', () => {
  it('configures, loads a context from a memoryview and executes with host calls', async () => {
    const out = await embedded(
      [
        'rt.configure({"tools": [{"name": "add", "parameters": {"properties": {"a": {}, "b": {}}, "required": ["a"]}}]})',
        'out["info"] = rt.load_context(memoryview(b\'{"a": [1, 2]}\'), "json", "context")',
        'out["result"] = rt.execute(',
        '    "print(llm_query(\'x\'), context[\'a\'])\\n"',
        '    "try:\\n    llm_query(\'fail\')\\nexcept KeyError as e:\\n    print(\'KeyError\', e)\\n"',
        '    "try:\\n    llm_query(\'custom\')\\nexcept RuntimeError as e:\\n    print(e)\\n"',
        '    "add(1, b=2)")',
      ].join('\n'),
    );
    expect(out.info).toEqual({ type: 'dict', length: 1, bytes: 13 });
    expect(out.result.error).toBeNull();
    expect(out.result.stdout).toBe("ok:x [1, 2]\nKeyError 'missing'\nModelProviderError: down\n{'a': 1, 'b': 2}\n");
    expect(out.calls.map((call: unknown[]) => call[0])).toEqual(['llm_query', 'llm_query', 'llm_query', 'tool']);
    expect(out.calls[3]).toEqual(['tool', { name: 'add', args: { a: 1, b: 2 } }]);
  });

  it('keeps head and tail within maxOutputChars and counts what was cut', async () => {
    const out = await embedded(
      [
        'rt.configure({"maxOutputChars": 50})',
        'out["big"] = rt.execute("print(\'a\' * 60 + \'b\' * 40)")',
        'out["small"] = rt.execute("print(\'x\' * 49)")',
        'out["loop"] = rt.execute("for i in range(200000):\\n    print(i)")',
      ].join('\n'),
    );
    expect(out.big.stdout).toBe(`${'a'.repeat(25)}\n... [51 characters truncated] ...\n${'b'.repeat(24)}\n`);
    expect(out.big.truncatedChars).toBe(51);
    expect(out.small.stdout).toBe(`${'x'.repeat(49)}\n`);
    expect(out.small.truncatedChars).toBe(0);
    expect(out.loop.stdout.startsWith('0\n1\n2\n')).toBe(true);
    expect(out.loop.stdout.endsWith('199998\n199999\n')).toBe(true);
    expect(out.loop.stdout.length).toBeLessThan(100);
  });

  it('decodes bytes written to sys.stdout.buffer even when a character is split', async () => {
    const out = await embedded(
      'out["r"] = rt.execute("import sys\\nb = \'é😀\'.encode()\\nfor i in range(len(b)):\\n    sys.stdout.buffer.write(b[i:i+1])")',
    );
    expect(out.r.stdout).toBe('é😀');
  });

  it('FINAL_VAR reads function locals, treats non-str as a value, and strips quotes', async () => {
    const out = await embedded(
      [
        'out["local"] = rt.execute("def f():\\n    answer = 5\\n    FINAL_VAR(\'answer\')\\nf()")',
        'out["value"] = rt.execute("FINAL_VAR(123)")',
        'out["quoted"] = rt.execute("x = \'y\'\\nFINAL_VAR(\' \\"x\\" \')")',
        'out["nan"] = rt.execute("FINAL(float(\'nan\'))")',
      ].join('\n'),
    );
    expect(out.local.final).toEqual({ value: 5, text: '5', variableName: 'answer' });
    expect(out.value.final).toEqual({ value: 123, text: '123', variableName: null });
    expect(out.quoted.final).toEqual({ value: 'y', text: 'y', variableName: 'x' });
    expect(out.nan.final).toEqual({ value: 'nan', text: 'nan', variableName: null });
  });

  it('runs cells as __main__ without inheriting the runtime\'s __future__ flags', async () => {
    const out = await embedded(
      'out["r"] = rt.execute("from dataclasses import dataclass\\n@dataclass\\nclass P:\\n    x: int\\n' +
        'def f(v: int): pass\\nprint(P(1), f.__annotations__[\'v\'] is int, __name__)")',
    );
    expect(out.r.error).toBeNull();
    expect(out.r.stdout).toBe('P(x=1) True __main__\n');
  });

  it('turns SIGINT during a cell into KeyboardInterrupt and ignores it while idle', async () => {
    const out = await embedded(
      [
        'import signal, time',
        'out["cell"] = rt.execute("import os, signal, time\\nos.kill(os.getpid(), signal.SIGINT)\\ntime.sleep(10)")',
        'os.kill(os.getpid(), signal.SIGINT)',
        'time.sleep(0.05)',
        'out["after"] = rt.execute("print(\'alive\')")',
      ].join('\n'),
    );
    expect(out.cell.error.type).toBe('KeyboardInterrupt');
    expect(out.after.stdout).toBe('alive\n');
  });

  it('asks interrupt_requested before each cell: an interrupt that came first ends the cell at once', async () => {
    const out = await embedded(
      [
        'asked = []',
        'rt.interrupt_requested = lambda: asked.append(1) or len(asked) == 1',
        'out["first"] = rt.execute("while True:\\n    pass")',
        'out["second"] = rt.execute("print(\'ran\')")',
        'out["asked"] = len(asked)',
      ].join('\n'),
    );
    expect(out.first.error.type).toBe('KeyboardInterrupt');
    expect(out.first.error.message).toBe('Execution was interrupted (timeout or abort).');
    expect(out.second.stdout).toBe('ran\n');
    expect(out.asked).toBe(2);
  });

  it('validates context and tool names, and deletes a context file after loading it', async () => {
    const out = await embedded(
      [
        'import tempfile',
        'fd, path = tempfile.mkstemp()',
        'os.write(fd, "héllo".encode()); os.close(fd)',
        'out["file"] = rt.load_context_file(path, "text", "doc")',
        'out["exists"] = os.path.exists(path)',
        'out["errors"] = []',
        'for call in (lambda: rt.load_context(b"1", "text", "llm_query"), lambda: rt.load_context(b"1", "text", "not valid"),',
        '             lambda: rt.load_context(b"1", "yaml"), lambda: rt.configure({"tools": [{"name": "FINAL"}]}),',
        '             lambda: rt.configure({"maxOutputChars": -5})):',
        '    try:',
        '        call(); out["errors"].append(None)',
        '    except (TypeError, ValueError) as e:',
        '        out["errors"].append(type(e).__name__)',
        'out["doc"] = rt.execute("doc")["stdout"]',
      ].join('\n'),
    );
    expect(out.file).toEqual({ type: 'str', length: 5, bytes: 6 });
    expect(out.exists).toBe(false);
    expect(out.errors).toEqual(['ValueError', 'ValueError', 'ValueError', 'ValueError', 'ValueError']);
    expect(out.doc).toBe("'héllo'\n");
  });

  it('raises helpful TypeErrors for bad arguments without calling the host', async () => {
    const out = await embedded(
      [
        'out["r"] = []',
        'for code in ("llm_query_batched(\'one\')", "llm_query_batched([1])", "rlm_query(\'p\', context={1, 2})",',
        '             "llm_query(\'p\', model=3)", "rlm_query_batched([\'a\'], contexts=\'x\')"):',
        '    res = rt.execute(code)',
        '    out["r"].append([res["error"]["type"], res["error"]["message"]])',
      ].join('\n'),
    );
    expect(out.calls).toEqual([]);
    expect(out.r.map((entry: string[]) => entry[0])).toEqual(['TypeError', 'TypeError', 'TypeError', 'TypeError', 'TypeError']);
    expect(out.r[0][1]).toContain('llm_query');
    expect(out.r[2][1]).toContain('JSON-serialisable');
  });
});
