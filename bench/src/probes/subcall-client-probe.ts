/**
 * Per-call client cost of a model sub-call (issue #22): N calls with ~200 KB prompts against a
 * latency-0 OpenAI-compatible server on 127.0.0.1 that runs in a child process (so its CPU is not
 * counted), through `@rlms/openai`'s provider, through the bare `openai` SDK, and through a raw
 * keep-alive `fetch` baseline. Sequential and concurrent (default 16) in one run, interleaved rounds.
 *
 * Usage (after `pnpm turbo run build --filter=@rlms/openai...`):
 *   node bench/src/probes/subcall-client-probe.ts [calls=200] [concurrency=16] [promptKB=200] [rounds=3]
 * (Node 24 runs the .ts directly; the built copy is dist/probes/subcall-client-probe.js.)
 * Prints a table: wall ms/call and client CPU ms/call (medians over rounds), the ratio to the raw
 * fetch baseline, and the TCP connections the server accepted for each path (keep-alive check).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { Agent, createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { createOpenAIProvider } from '@rlms/openai';

/** The bits of the `openai` SDK the probe uses (bench does not depend on it; it is @rlms/openai's). */
interface BareSdk {
  chat: { completions: { create(body: unknown): Promise<{ choices: { message: { content: string | null } }[] }> } };
}
type BareSdkConstructor = new (options: Record<string, unknown>) => BareSdk;

const REPLY_TEXT = 'The chunk mentions nothing relevant.';

if (process.argv[2] === '--serve') {
  serve();
} else {
  await main();
}

/** The child: a minimal latency-0 Chat Completions server that counts TCP connections. */
function serve(): void {
  let connections = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { model?: string };
      const payload = JSON.stringify({
        id: 'chatcmpl-probe',
        object: 'chat.completion',
        created: 0,
        model: body.model ?? 'probe-model',
        choices: [{ index: 0, message: { role: 'assistant', content: REPLY_TEXT }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 50_000, completion_tokens: 9, total_tokens: 50_009 },
      });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    });
  });
  server.keepAliveTimeout = 60_000;
  server.on('connection', () => {
    connections += 1;
  });
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ type: 'ready', port: (server.address() as AddressInfo).port });
  });
  process.on('message', (message: { type: string }) => {
    if (message.type === 'count') process.send?.({ type: 'count', connections, cpu: process.cpuUsage() });
    if (message.type === 'close') server.close(() => process.exit(0));
  });
  process.on('disconnect', () => process.exit(0));
}

interface Measure {
  wallMs: number;
  cpuMs: number;
  serverCpuMs: number;
  connections: number;
}

interface Count {
  connections: number;
  cpu: NodeJS.CpuUsage;
}

type Call = (prompt: string) => Promise<string>;

async function main(): Promise<void> {
  const [calls = 200, concurrency = 16, promptKB = 200, rounds = 3] = process.argv.slice(2).map(Number);
  const child = fork(new URL(import.meta.url), ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: process.execArgv });
  const port = await nextMessage<{ port: number }>(child, 'ready').then((message) => message.port);
  const baseURL = `http://127.0.0.1:${port}/v1`;
  const prompts = Array.from({ length: 64 }, (_, index) => `chunk ${index}: ${'lorem ipsum dolor sit amet '.repeat(Math.ceil((promptKB * 1024) / 27))}`.slice(0, promptKB * 1024));
  const messages = (prompt: string) => [{ role: 'user' as const, content: prompt }];

  const provider = createOpenAIProvider({ model: 'probe-model', baseURL, apiKey: 'probe-key' });
  const sdkPath = createRequire(import.meta.resolve('@rlms/openai')).resolve('openai');
  const OpenAI = ((await import(pathToFileURL(sdkPath).href)) as { default: BareSdkConstructor }).default;
  const sdk = new OpenAI({ baseURL, apiKey: 'probe-key', maxRetries: 0, logLevel: 'off' });
  const agent = new Agent({ keepAlive: true });
  const paths: Record<string, Call> = {
    'raw fetch (keep-alive)': async (prompt) => {
      const response = await fetch(`${baseURL}/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer probe-key' },
        body: JSON.stringify({ model: 'probe-model', messages: messages(prompt) }),
      });
      const json = (await response.json()) as { choices: { message: { content: string } }[] };
      return json.choices[0]?.message.content ?? '';
    },
    'openai SDK (bare)': async (prompt) => {
      const reply = await sdk.chat.completions.create({ model: 'probe-model', messages: messages(prompt) });
      return reply.choices[0]?.message.content ?? '';
    },
    'node:http (keep-alive Agent)': (prompt) => httpCall(agent, port, JSON.stringify({ model: 'probe-model', messages: messages(prompt) })),
    '@rlms/openai provider': async (prompt) => (await provider.generate({ messages: messages(prompt) })).text,
  };

  const count = async (): Promise<Count> => {
    child.send({ type: 'count' });
    return nextMessage<Count>(child, 'count');
  };
  const measure = async (call: Call, parallel: number): Promise<Measure> => {
    const before = await count();
    const cpu = process.cpuUsage();
    const start = performance.now();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < calls) {
        const index = next++;
        const text = await call(prompts[index % prompts.length] as string);
        if (text !== REPLY_TEXT) throw new Error(`unexpected reply ${JSON.stringify(text)}`);
      }
    };
    await Promise.all(Array.from({ length: parallel }, worker));
    const wallMs = performance.now() - start;
    const used = process.cpuUsage(cpu);
    const after = await count();
    return {
      wallMs,
      cpuMs: (used.user + used.system) / 1000,
      serverCpuMs: (after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system) / 1000,
      connections: after.connections - before.connections,
    };
  };

  const warmUp = new Map<string, number>();
  // Warm up JIT and connection pools; the first concurrent batch shows how many connections a path opens.
  for (const [name, call] of Object.entries(paths)) warmUp.set(name, (await measure(call, concurrency)).connections);
  const results = new Map<string, Measure[]>();
  for (let round = 0; round < rounds; round += 1) {
    // Interleave paths each round so drift on a busy machine spreads evenly.
    for (const [name, call] of Object.entries(paths)) {
      for (const parallel of [1, concurrency]) {
        const key = `${name}|${parallel}`;
        results.set(key, [...(results.get(key) ?? []), await measure(call, parallel)]);
      }
    }
  }
  child.send({ type: 'close' });

  const median = (values: number[]): number => values.sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
  console.log(`subcall-client-probe: ${calls} calls × ${promptKB} KB prompts, ${rounds} rounds (median), server in a child process, Node ${process.version}`);
  console.log('path | concurrency | wall ms/call | client CPU ms/call | server CPU ms/call | wall ratio vs raw | CPU ratio vs raw | new TCP connections (warm-up / max per measured batch)');
  for (const parallel of [1, concurrency]) {
    const base = results.get(`raw fetch (keep-alive)|${parallel}`) as Measure[];
    const baseWall = median(base.map((m) => m.wallMs)) / calls;
    const baseCpu = median(base.map((m) => m.cpuMs)) / calls;
    for (const name of Object.keys(paths)) {
      const runs = results.get(`${name}|${parallel}`) as Measure[];
      const wall = median(runs.map((m) => m.wallMs)) / calls;
      const cpu = median(runs.map((m) => m.cpuMs)) / calls;
      const server = median(runs.map((m) => m.serverCpuMs)) / calls;
      const conns = Math.max(...runs.map((m) => m.connections));
      console.log(
        `${name} | ${parallel} | ${wall.toFixed(3)} | ${cpu.toFixed(3)} | ${server.toFixed(3)} | ${(wall / baseWall).toFixed(2)}× | ${(cpu / baseCpu).toFixed(2)}× | ${warmUp.get(name)} / ${conns}`,
      );
    }
  }
  process.exit(0);
}

/** One POST through node:http with a keep-alive agent: the leanest client Node offers. */
function httpCall(agent: Agent, port: number, body: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/v1/chat/completions',
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), authorization: 'Bearer probe-key' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { choices: { message: { content: string } }[] };
          resolve(json.choices[0]?.message.content ?? '');
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function nextMessage<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const listener = (message: { type: string } & T): void => {
      if (message.type !== type) return;
      child.off('message', listener);
      resolve(message);
    };
    child.on('message', listener);
  });
}
