/**
 * The runtime never sends a message over `maxFrameBytes` (security issue 19, finding 2): prompts
 * that cannot fit raise in model code, batches are split over several host calls (answers in
 * prompt order), a FINAL value too large is refused with a clear error. Stdio mode (frames) and
 * the embedded API (the Pyodide host_call path).
 */
import { execFile, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameDecoder, encodeFrame } from '../src/protocol/index.js';
import { parseRuntimeFrame } from '../src/protocol/runtime-frame.js';
import { RUNTIME_PATH } from '../src/runtime/runtime-source.js';

const PYTHON = process.env.RLMS_PYTHON ?? 'python3';
const CAP = 65_536;
type Header = Record<string, any>;

/** A stdio runtime driven frame by frame; records the size of every frame it sends. */
class StdioRuntime {
  readonly child: ChildProcessWithoutNullStreams;
  readonly frames: Header[] = [];
  /** Largest header line and largest attachment seen, in bytes. */
  largest = { header: 0, attachment: 0 };
  #waiters: Array<() => void> = [];

  constructor() {
    this.child = spawn(PYTHON, ['-u', '-I', RUNTIME_PATH], { stdio: 'pipe', env: { PATH: process.env.PATH ?? '' } });
    const decoder = new FrameDecoder({ maxFrameBytes: CAP });
    this.child.stdout.on('data', (chunk: Uint8Array) => {
      for (const frame of decoder.push(chunk)) {
        this.largest.header = Math.max(this.largest.header, frame.headerBytes ?? 0);
        this.largest.attachment = Math.max(this.largest.attachment, frame.attachment?.length ?? 0);
        this.frames.push({ ...(parseRuntimeFrame(frame, 'raw') as Header), promptBytes: frame.header.promptBytes });
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stdin.on('error', () => undefined);
  }

  send(header: Header): void {
    for (const chunk of encodeFrame(header)) this.child.stdin.write(chunk);
  }

  async take(match: (frame: Header) => boolean): Promise<Header> {
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0] as Header;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  /** Runs `code`, answering each host call with `answer(call)`; returns the execution result. */
  async run(code: string, answer: (call: Header) => unknown = () => 'ok'): Promise<{ value: Header; calls: Header[] }> {
    const id = `h${Math.random().toString(36).slice(2)}`;
    this.send({ type: 'execute', id, code });
    const calls: Header[] = [];
    for (;;) {
      const frame = await this.take((candidate) => candidate.type === 'host_call' || (candidate.type === 'response' && candidate.id === id));
      if (frame.type === 'response') return { value: frame.value as Header, calls };
      calls.push(frame);
      this.send({ type: 'host_result', id: frame.id, ok: true, value: answer(frame) });
    }
  }
}

let runtimes: StdioRuntime[] = [];
async function configured(maxOutputChars = 20_000): Promise<StdioRuntime> {
  const runtime = new StdioRuntime();
  runtimes.push(runtime);
  runtime.send({ type: 'configure', id: 'c1', tools: [], maxOutputChars, maxFrameBytes: CAP });
  expect(await runtime.take((frame) => frame.id === 'c1')).toMatchObject({ ok: true });
  return runtime;
}
afterEach(() => {
  for (const runtime of runtimes) runtime.child.kill('SIGKILL');
  runtimes = [];
});

describe('rlms_runtime stdio: no frame over maxFrameBytes', () => {
  it('sends prompts as a UTF-8 attachment and refuses one that cannot fit, before any host call', async () => {
    const runtime = await configured();
    const ok = await runtime.run('print(llm_query("héllo 😀" * 1000))', (call) => call.payload.prompt.length);
    expect(ok.value.stdout).toBe(`${'héllo 😀'.length * 1000}\n`); // JS length: the emoji is 2 UTF-16 units
    expect(ok.calls[0]?.promptBytes).toEqual([new TextEncoder().encode('héllo 😀'.repeat(1000)).length]);

    const big = await runtime.run('llm_query("é" * 40000)');
    expect(big.calls).toEqual([]);
    expect(big.value.error.type).toBe('ValueError');
    expect(big.value.error.message).toMatch(/prompt of 40000 characters is over the limit of one message to the host \(65536 bytes; it needs 80000\)\. Split it/);
    expect(big.value.error.traceback).toContain('<cell-');
  });

  it('splits a batch over several host calls that each fit, answers in prompt order', async () => {
    const runtime = await configured();
    const code = 'prompts = [str(i) + ":" + "x" * 20000 for i in range(7)]\nanswers = llm_query_batched(prompts)\nprint(answers)';
    const { value, calls } = await runtime.run(code, (call) => call.payload.prompts.map((prompt: string) => prompt.split(':')[0]));
    expect(value.error).toBeNull();
    expect(value.stdout).toBe(`${JSON.stringify(['0', '1', '2', '3', '4', '5', '6']).replaceAll('"', "'").replaceAll(',', ', ')}\n`);
    expect(calls.length).toBeGreaterThan(2);
    expect(calls.flatMap((call) => call.payload.prompts as string[]).map((prompt) => prompt.split(':')[0])).toEqual(['0', '1', '2', '3', '4', '5', '6']);
    expect(runtime.largest.attachment).toBeLessThanOrEqual(CAP);
    expect(runtime.largest.header).toBeLessThanOrEqual(CAP);
  });

  it('splits rlm_query_batched with its contexts, and names the one prompt that cannot fit', async () => {
    const runtime = await configured();
    const code = 'contexts = [{"part": i, "text": "c" * 15000} for i in range(6)]\nprint(rlm_query_batched(["q"] * 6, contexts))';
    const { value, calls } = await runtime.run(code, (call) => call.payload.contexts.map((context: Header) => String(context.part)));
    expect(value.stdout).toBe("['0', '1', '2', '3', '4', '5']\n");
    expect(calls.length).toBeGreaterThan(1);
    expect(runtime.largest.header).toBeLessThanOrEqual(CAP);

    const one = await runtime.run('llm_query_batched(["short", "y" * 70000, "short"])');
    expect(one.calls).toEqual([]);
    expect(one.value.error.message).toMatch(/llm_query_batched\(\): prompts\[1\] of 70000 characters is over the limit/);
  });

  it('refuses a FINAL value too large for one message, and a FINAL that does not fit beside the output', async () => {
    const runtime = await configured(4_000);
    const direct = await runtime.run('FINAL("a" * 50000)');
    expect(direct.value.final).toBeNull();
    expect(direct.value.error.type).toBe('ValueError');
    expect(direct.value.error.message).toMatch(/FINAL\(\): the answer needs \d+ bytes as JSON, over the limit of \d+ bytes .* Return something smaller/);

    const crowded = await runtime.run('print("😀" * 3000)\nFINAL("b" * 20000)');
    expect(crowded.value.final).toBeNull();
    expect(crowded.value.error.message).toMatch(/FINAL: the answer and this cell's output need \d+ bytes/);
    expect(crowded.value.stdout.length).toBeGreaterThan(0);

    const fits = await runtime.run('FINAL_VAR("answer") if (answer := "c" * 20000) else None');
    expect(fits.value.final.text).toHaveLength(20000);
    expect(runtime.largest.header).toBeLessThanOrEqual(CAP);
  });

  it('refuses tool arguments too large for one message', async () => {
    const runtime = new StdioRuntime();
    runtimes.push(runtime);
    runtime.send({ type: 'configure', id: 'c1', tools: [{ name: 'store' }], maxFrameBytes: CAP });
    await runtime.take((frame) => frame.id === 'c1');
    const { value, calls } = await runtime.run('store(data="z" * 70000)');
    expect(calls).toEqual([]);
    expect(value.error.message).toMatch(/store\(\): the arguments need \d+ bytes, over the limit of 65536 bytes/);
  });

  it('rejects a maxFrameBytes under 64 KiB in configure', async () => {
    const runtime = new StdioRuntime();
    runtimes.push(runtime);
    runtime.send({ type: 'configure', id: 'c1', tools: [], maxFrameBytes: 1000 });
    expect(await runtime.take((frame) => frame.id === 'c1')).toMatchObject({ ok: false, error: { type: 'ValueError' } });
  });
});

describe('rlms_runtime embedded: the host_call(op, payload) path keeps working within the limit', () => {
  it('measures the request as the Pyodide glue sends it (JSON, then the prompts as UTF-8) and splits batches', async () => {
    const script = [
      'import json, sys',
      `sys.path.insert(0, ${JSON.stringify(dirname(RUNTIME_PATH))})`,
      'import rlms_runtime as r',
      'calls = []',
      'def host_call(op, payload):',
      '    calls.append(r._embedded_message_size(op, payload))',
      '    return [p[:1] for p in payload["prompts"]] if "prompts" in payload else "ok"',
      'rt = r.Runtime(host_call=host_call)',
      `rt.configure({"maxFrameBytes": ${CAP}})`,
      'one = rt.execute("llm_query(\\"é\\" * 40000)")',
      'batch = rt.execute("print(llm_query_batched([chr(97 + i) + \\"é\\" * 5000 for i in range(8)]))")',
      'sys.__stdout__.write(json.dumps({"one": one, "batch": batch, "calls": calls}))',
    ].join('\n');
    const { stdout } = await promisify(execFile)(PYTHON, ['-B', '-I', '-c', script], { encoding: 'utf8' });
    const out = JSON.parse(stdout) as { one: Header; batch: Header; calls: number[] };
    expect(out.one.error.message).toMatch(/prompt of 40000 characters is over the limit of one message to the host \(65536 bytes; it needs 800\d\d\)/);
    expect(out.batch.stdout).toBe("['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']\n");
    expect(out.calls.length).toBeGreaterThan(1);
    expect(Math.max(...out.calls)).toBeLessThanOrEqual(CAP);
  });
});
