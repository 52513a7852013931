import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FrameDecoder, encodeFrame } from '../src/protocol/index.js';
import { parseRuntimeFrame } from '../src/protocol/runtime-frame.js';
import { PROTOCOL_VERSION, RUNTIME_PATH } from '../src/runtime/runtime-source.js';

const PYTHON = process.env.RLMS_PYTHON ?? 'python3';
type Header = Record<string, any>;

/** A raw stdio runtime process driven frame by frame (no FrameSession), to test the Python side alone. */
class RawRuntime {
  readonly child: ChildProcessWithoutNullStreams;
  readonly frames: Header[] = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: string | null }>;
  #waiters: Array<() => void> = [];

  constructor() {
    this.child = spawn(PYTHON, ['-u', '-I', RUNTIME_PATH], { stdio: 'pipe', env: { PATH: process.env.PATH ?? '' } });
    const decoder = new FrameDecoder();
    this.child.stdout.on('data', (chunk: Uint8Array) => {
      // host_call prompts travel as an attachment: decode them the way FrameSession does.
      for (const frame of decoder.push(chunk)) this.frames.push(parseRuntimeFrame(frame, 'raw') as Header);
      for (const wake of this.#waiters.splice(0)) wake();
    });
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  send(header: Header, attachment?: Uint8Array): void {
    for (const chunk of encodeFrame(header, attachment)) this.child.stdin.write(chunk);
  }

  /** Removes and returns the first frame matching `match`, waiting for it. */
  async take(match: (frame: Header) => boolean): Promise<Header> {
    for (;;) {
      const index = this.frames.findIndex(match);
      if (index >= 0) return this.frames.splice(index, 1)[0] as Header;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
  }

  response(id: string): Promise<Header> {
    return this.take((frame) => frame.type === 'response' && frame.id === id);
  }
}

let current: RawRuntime[] = [];
function start(): RawRuntime {
  const runtime = new RawRuntime();
  current.push(runtime);
  return runtime;
}
afterEach(() => {
  for (const runtime of current) runtime.child.kill('SIGKILL');
  current = [];
});

describe('rlms_runtime stdio mode', () => {
  it('sends ready, then answers requests; stdin is /dev/null for model code', async () => {
    const runtime = start();
    const ready = await runtime.take((frame) => frame.type === 'ready');
    expect(ready).toMatchObject({ protocol: PROTOCOL_VERSION, pid: runtime.child.pid, fdCapture: true });
    expect(ready.python).toMatch(/^3\.\d+/);
    runtime.send({ type: 'execute', id: 'h1', code: 'import sys\nprint(repr(sys.stdin.read()))\ninput()' });
    const reply = await runtime.response('h1');
    expect(reply.value.stdout).toBe("''\n");
    expect(reply.value.error.type).toBe('EOFError');
  });

  it('answers concurrent host calls from threads in any order', async () => {
    const runtime = start();
    runtime.send({
      type: 'execute',
      id: 'h1',
      code:
        'import threading\nresults = {}\n' +
        'def work(p):\n    results[p] = llm_query(p)\n' +
        "threads = [threading.Thread(target=work, args=(p,)) for p in ('a', 'b', 'c')]\n" +
        '[t.start() for t in threads]\n[t.join() for t in threads]\nprint(sorted(results.items()))',
    });
    const calls = [];
    for (let index = 0; index < 3; index += 1) calls.push(await runtime.take((frame) => frame.type === 'host_call'));
    for (const call of calls.reverse()) {
      runtime.send({ type: 'host_result', id: call.id, ok: true, value: `answer-${call.payload.prompt}` });
    }
    const reply = await runtime.response('h1');
    expect(reply.value.stdout).toBe("[('a', 'answer-a'), ('b', 'answer-b'), ('c', 'answer-c')]\n");
    expect(new Set(calls.map((call) => call.id)).size).toBe(3);
  });

  it('interrupts a waiting host call, tells the host, and ignores its late result', async () => {
    const runtime = start();
    runtime.send({ type: 'execute', id: 'h1', code: "llm_query('never answered')" });
    const call = await runtime.take((frame) => frame.type === 'host_call');
    runtime.send({ type: 'interrupt', id: 'h1' });
    const cancel = await runtime.take((frame) => frame.type === 'host_cancel');
    expect(cancel.id).toBe(call.id);
    const reply = await runtime.response('h1');
    expect(reply.value.error.type).toBe('KeyboardInterrupt');
    expect(reply.value.error.traceback).not.toContain('threading');
    runtime.send({ type: 'host_result', id: call.id, ok: true, value: 'late' });
    runtime.send({ type: 'interrupt', id: 'h1' }); // stale: the cell is over
    runtime.child.kill('SIGINT'); // idle SIGINT: ignored
    runtime.send({ type: 'execute', id: 'h2', code: "'still alive'" });
    expect((await runtime.response('h2')).value.stdout).toBe("'still alive'\n");
  });

  it('ends a cell at once when its interrupt overtook it (arrived while the request still waited)', async () => {
    const runtime = start();
    // h1 waits on a host call, so h2 waits in the queue when its interrupt arrives.
    runtime.send({ type: 'execute', id: 'h1', code: "print(llm_query('held'))" });
    const call = await runtime.take((frame) => frame.type === 'host_call');
    runtime.send({ type: 'execute', id: 'h2', code: 'while True:\n    pass' });
    runtime.send({ type: 'interrupt', id: 'h2' });
    runtime.send({ type: 'host_result', id: call.id, ok: true, value: 'released' });
    expect((await runtime.response('h1')).value.stdout).toBe('released\n');
    const spun = await runtime.response('h2');
    expect(spun.value.error.type).toBe('KeyboardInterrupt');
    expect(spun.value.error.traceback).not.toContain('rlms_runtime');
    // The remembered interrupt belongs to h2 only.
    runtime.send({ type: 'execute', id: 'h3', code: "'next cell runs'" });
    expect((await runtime.response('h3')).value.stdout).toBe("'next cell runs'\n");
  });

  it('ignores malformed frames (reporting them on stderr) and keeps serving', async () => {
    const runtime = start();
    runtime.child.stdin.write('this is not json\n');
    runtime.send({ type: 'bogus', id: 'h1' });
    runtime.send({ type: 'execute', id: 'h2', code: '6 * 7' });
    expect((await runtime.response('h1')).error.type).toBe('ValueError');
    expect((await runtime.response('h2')).value.stdout).toBe('42\n');
    // stderr is a separate pipe: its line may arrive after the replies on stdout.
    await vi.waitFor(() => expect(runtime.stderr).toContain('malformed frame'), { timeout: 5_000 });
  });

  it('loads attachments with newlines and invalid UTF-8 as text', async () => {
    const runtime = start();
    const bytes = new Uint8Array([0x61, 0x0a, 0xff, 0x0a, 0x62]);
    runtime.send({ type: 'load_context', id: 'h1', format: 'text', variable: 'context' }, bytes);
    expect((await runtime.response('h1')).value).toEqual({ type: 'str', length: 5, bytes: 5 });
    runtime.send({ type: 'execute', id: 'h2', code: 'context' });
    expect((await runtime.response('h2')).value.stdout).toBe("'a\\n\ufffd\\nb'\n");
  });

  it('keeps OS-level output of a flooding subprocess bounded, head + tail', async () => {
    const runtime = start();
    runtime.send({ type: 'configure', id: 'h1', tools: [], maxOutputChars: 200 });
    await runtime.response('h1');
    runtime.send({
      type: 'execute',
      id: 'h2',
      code: "import os\nrlms_status = os.system('yes 0123456789 | head -c 40000000; echo; echo THE-END')",
    });
    const { value } = await runtime.response('h2');
    expect(value.stdout.startsWith('0123456789\n')).toBe(true);
    expect(value.stdout.endsWith('THE-END\n')).toBe(true);
    expect(value.stdout.length).toBeLessThan(300);
    expect(value.truncatedChars).toBeGreaterThan(39_000_000);
    runtime.send({ type: 'execute', id: 'h3', code: "import os\nrlms_n = os.write(1, b'after\\n')" });
    expect((await runtime.response('h3')).value).toMatchObject({ stdout: 'after\n', truncatedChars: 0 });
  });

  it('keeps forked children (multiprocessing, os.fork) off the protocol', async () => {
    const runtime = start();
    runtime.send({
      type: 'execute',
      id: 'h1',
      code:
        "import multiprocessing as mp\ndef ask(x):\n    return llm_query('x')\n" +
        "with mp.get_context('fork').Pool(1) as pool:\n    try:\n        pool.map(ask, [1])\n" +
        "    except RuntimeError as e:\n        print('child:', e)\n" +
        'import os\nrlms_pid = os.fork()\nif rlms_pid:\n    os.waitpid(rlms_pid, 0)',
    });
    const first = await runtime.response('h1');
    expect(first.value.stdout).toMatch(/^child: llm_query\(\) cannot be called from a forked child process/);
    expect(runtime.frames.filter((frame) => frame.type === 'response')).toHaveLength(0);
    runtime.send({ type: 'execute', id: 'h2', code: "'parent fine'" });
    expect((await runtime.response('h2')).value.stdout).toBe("'parent fine'\n");
  });

  it('exits 0 on end of input, even while model code is running', async () => {
    const runtime = start();
    await runtime.take((frame) => frame.type === 'ready');
    runtime.send({ type: 'execute', id: 'h1', code: 'while True:\n    pass' });
    runtime.child.stdin.end();
    expect(await runtime.exited).toEqual({ code: 0, signal: null });
  });

  it('exits 0 on a shutdown frame, even while model code is running', async () => {
    const runtime = start();
    runtime.send({ type: 'execute', id: 'h1', code: 'import time\ntime.sleep(60)' });
    runtime.send({ type: 'shutdown' });
    expect(await runtime.exited).toEqual({ code: 0, signal: null });
  });
});
