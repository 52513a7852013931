import { expect } from 'vitest';
import { ProtocolError, SandboxSessionDeadError } from '../../errors/index.js';
import type { SandboxCapabilities } from '../../spec/index.js';
import type { SuiteHarness } from './sandbox-suite-harness.js';

/** The frame cap of the cases below: the smallest a session accepts. */
const FRAME_CAP = 65_536;

/** Model code that finds the stdio runtime's protocol channel through `gc`, as an attacker would. */
const FIND_PROTOCOL_FD =
  "import gc, os\nrlms_server = next(o for o in gc.get_objects() if type(o).__name__ == 'StdioServer')\n" +
  'rlms_fd = rlms_server._out_fd\n';

/** The hostile-runtime cases need a runtime that speaks stdio frames (model code can reach its fd). */
const stdioRuntime = (capabilities: SandboxCapabilities): string | undefined =>
  capabilities.isolation === 'wasm' ? 'the runtime does not speak stdio frames (wasm sandbox)' : undefined;

/** Frame size limits: the runtime keeps within `maxFrameBytes`; a sandbox that does not is killed. */
export function defineLimitCases(h: SuiteHarness): void {
  h.defineCase('frame-limit', `the runtime keeps every message within maxFrameBytes (${FRAME_CAP})`, async () => {
    const { session, host } = await h.fresh({ maxFrameBytes: FRAME_CAP });
    const big = await session.execute('llm_query("é" * 40000)');
    expect(big.error?.type).toBe('ValueError');
    expect(big.error?.message).toMatch(/prompt of 40000 characters is over the limit of one message to the host.*Split it/);
    expect(host.calls).toEqual([]);

    const batch = await h.runOk(session, 'rlms_answers = llm_query_batched([f"{i}:" + "x" * 20000 for i in range(6)])\nprint([a[:6] for a in rlms_answers])');
    expect(batch.stdout).toBe(`${JSON.stringify(Array.from({ length: 6 }, (_, i) => `llm:${i}:`)).replaceAll('"', "'").replaceAll(',', ', ')}\n`);
    expect(host.calls.length).toBeGreaterThan(1);
    expect(host.calls.flatMap((call) => (call.op === 'llm_query_batched' ? call.prompts.map((p) => p.split(':')[0]) : []))).toEqual(['0', '1', '2', '3', '4', '5']);

    const final = await session.execute('FINAL("a" * 100000)');
    expect(final.final).toBeUndefined();
    expect(final.error?.message).toMatch(/FINAL\(\): the answer needs \d+ bytes as JSON, over the limit/);
  });

  h.defineCase(
    'frame-attack',
    'code announcing a 2 GiB attachment on the protocol channel: killed with a ProtocolError, nothing buffered',
    async () => {
      const { session } = await h.fresh({ maxFrameBytes: FRAME_CAP });
      const attack =
        FIND_PROTOCOL_FD +
        `os.write(rlms_fd, b'{"type":"host_call","id":"x","op":"llm_query","payload":{},"attachment":2147483648}\\n')\n` +
        "rlms_chunk = b'a' * (1 << 20)\nfor _ in range(64):\n    os.write(rlms_fd, rlms_chunk)\n";
      const error = await session.execute(attack).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(ProtocolError.isInstance(error), `expected a ProtocolError, got ${String(error)}`).toBe(true);
      expect((error as Error).message).toMatch(/2147483648 bytes, over the limit of 65536 bytes/);
      const later = await session.execute('1').then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(SandboxSessionDeadError.isInstance(later)).toBe(true);
    },
    stdioRuntime,
  );

  h.defineCase(
    'frame-endless-header',
    'code writing a header line that never ends: killed with a ProtocolError at the cap',
    async () => {
      const { session } = await h.fresh({ maxFrameBytes: FRAME_CAP });
      const attack = `${FIND_PROTOCOL_FD}os.write(rlms_fd, b'{"type":"response","id":"h9","value":"')\nwhile True:\n    os.write(rlms_fd, b'a' * 65536)\n`;
      const error = await session.execute(attack).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(ProtocolError.isInstance(error), `expected a ProtocolError, got ${String(error)}`).toBe(true);
      expect((error as Error).message).toMatch(/exceeded 65536 bytes/);
    },
    stdioRuntime,
  );
}
