/**
 * `rlms serve` request bodies under attack (security issue 19, finding 4), through the real server
 * on 127.0.0.1 and raw sockets: a body without a valid key is refused from the headers and never
 * read, bodies are read (bounded in size, time and total memory) before a run slot is taken, so
 * clients that never finish their body hold no slot, and a slow-loris body is dropped with 408.
 * No test here measures a duration: limits are set small and the outcome is asserted.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRLM } from '@rlms/core';
import { MockModel } from '@rlms/core/testing';
import { createLocalSandbox } from '@rlms/sandbox-local';
import { createRLMServer, type RLMServer, type RLMServerSettings } from '@rlms/server';

const KEY = 'sk-serve-bodies-key-0123456789';
const sandbox = createLocalSandbox();
afterAll(() => sandbox.close());

interface Serve {
  readonly server: RLMServer;
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

let serve: Serve | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await serve?.close();
  serve = undefined;
});

async function startServe(settings: Partial<RLMServerSettings> = {}): Promise<Serve> {
  const rlm = createRLM({ model: new MockModel({ modelId: 'root', replies: () => 'FINAL(ok)' }), sandbox });
  const server = createRLMServer({ rlm, apiKeys: [KEY], ...settings });
  const listening = await server.listen(0);
  return { server, url: listening.url, port: listening.port, close: () => server.close({ graceMs: 0 }) };
}

interface Health {
  readonly active_runs: number;
  readonly pending_bodies: number;
  readonly pending_body_bytes: number;
}

async function health(s: Serve): Promise<Health> {
  return (await (await fetch(`${s.url}/health`)).json()) as Health;
}

async function waitFor(what: string, predicate: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A raw connection: writes what it is told, collects what the server sends, notes when it closes. */
function rawClient(s: Serve) {
  const socket = connect(s.port, '127.0.0.1');
  sockets.add(socket);
  let received = '';
  let written = 0;
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  socket.on('data', (chunk) => (received += chunk.toString('latin1')));
  socket.on('error', () => undefined);
  return {
    socket,
    closed,
    get received() {
      return received;
    },
    get written() {
      return written;
    },
    write(text: string | Buffer) {
      written += Buffer.byteLength(text);
      socket.write(text);
    },
    /** Writes `total` body bytes as fast as the socket takes them; stops when it closes. */
    pump(total: number): Promise<void> {
      const chunk = Buffer.alloc(64 * 1024, 0x78);
      return new Promise((resolve) => {
        const next = () => {
          while (!socket.destroyed && written < total) {
            written += chunk.length;
            if (!socket.write(chunk)) return void socket.once('drain', next);
          }
          resolve();
        };
        socket.once('close', () => resolve());
        next();
      });
    },
  };
}

function head(contentLength: number, auth: string | undefined): string {
  return [
    'POST /v1/chat/completions HTTP/1.1',
    'host: 127.0.0.1',
    'content-type: application/json',
    `content-length: ${contentLength}`,
    ...(auth === undefined ? [] : [`authorization: Bearer ${auth}`]),
    '',
    '',
  ].join('\r\n');
}

const GIB = 1024 ** 3;
const MESSAGE = JSON.stringify({ model: 'rlm', messages: [{ role: 'user', content: 'hello' }] });

describe('request bodies cannot exhaust rlms serve (finding 4)', { timeout: 120_000 }, () => {
  it('answers 401 to a 1 GiB body without a valid key from the headers, without reading the body', async () => {
    serve = await startServe();
    for (const auth of [undefined, 'sk-wrong-key-0123456789']) {
      const client = rawClient(serve);
      client.write(head(GIB, auth));
      await Promise.all([client.pump(GIB), client.closed]);
      expect(client.received).toMatch(/^HTTP\/1\.1 401 /);
      expect(client.received).toContain('"code":"invalid_api_key"');
      expect(client.received.toLowerCase()).toContain('connection: close');
      // What the kernel's socket buffers took before the server closed: megabytes, not a gigabyte.
      expect(client.written).toBeLessThan(64 * 1024 * 1024);
    }
    expect(serve.server.activeRuns).toBe(0);
    expect((await health(serve)).pending_bodies).toBe(0);
  });

  it('answers 413 to a declared 1 GiB body from its headers, without reading it', async () => {
    serve = await startServe();
    const client = rawClient(serve);
    client.write(head(GIB, KEY));
    await Promise.all([client.pump(GIB), client.closed]);
    expect(client.received).toMatch(/^HTTP\/1\.1 413 /);
    expect(client.written).toBeLessThan(64 * 1024 * 1024);
  });

  it('keeps run slots free while 4 authenticated clients never finish their bodies', async () => {
    serve = await startServe({ maxConcurrentRuns: 4 });
    const s = serve;
    const stalled = Array.from({ length: 4 }, () => {
      const client = rawClient(s);
      client.write(head(10_000, KEY));
      client.write('{"model": "rlm", "messages": [');
      return client;
    });
    await waitFor('the 4 stalled bodies to be read', async () => (await health(s)).pending_bodies === 4);
    expect((await health(s)).active_runs).toBe(0);
    const response = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: MESSAGE,
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('ok');
    // The stalled clients are still there, still holding no slot.
    expect(await health(s)).toMatchObject({ pending_bodies: 4, active_runs: 0 });
    expect(stalled.every((client) => !client.socket.destroyed)).toBe(true);
  });

  it('drops a slow-loris body with 408 and frees everything it held', async () => {
    serve = await startServe({ bodyTimeoutMs: 200 });
    const s = serve;
    const client = rawClient(s);
    client.write(head(10_000, KEY));
    client.write('{"model": "rlm", ');
    // A byte now and then, never the whole body: the body timer drops it.
    const drip = setInterval(() => client.socket.destroyed || client.write(' '), 50);
    try {
      await client.closed;
    } finally {
      clearInterval(drip);
    }
    expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(client.received).toContain('"code":"request_timeout"');
    expect(client.received).toContain('--body-timeout');
    expect(await health(s)).toMatchObject({ pending_bodies: 0, active_runs: 0 });
    // The server is fine for the next client.
    const response = await fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: MESSAGE,
    });
    expect(response.status).toBe(200);
  });

  it('drops a client that never finishes its headers with 408', async () => {
    serve = await startServe({ headersTimeoutMs: 200 });
    const client = rawClient(serve);
    client.write('POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\n');
    await client.closed;
    expect(client.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(serve.server.activeRuns).toBe(0);
  });

  it('answers 503 with retry-after once bodies being read would pass maxPendingBodyBytes', async () => {
    serve = await startServe({ maxBodyBytes: 100_000, maxPendingBodyBytes: 150_000 });
    const s = serve;
    const first = rawClient(s);
    first.write(head(100_000, KEY));
    first.write(Buffer.alloc(90_000, 0x20));
    await waitFor('the first body to be held', async () => (await health(s)).pending_body_bytes === 90_000);
    const second = rawClient(s);
    second.write(head(100_000, KEY));
    second.write(Buffer.alloc(90_000, 0x20));
    await second.closed;
    expect(second.received).toMatch(/^HTTP\/1\.1 503 /);
    expect(second.received.toLowerCase()).toContain('retry-after: 2');
    expect(second.received).toContain('"code":"server_busy"');
    expect(await health(s)).toMatchObject({ pending_bodies: 1, pending_body_bytes: 90_000, active_runs: 0 });
  });
});
