import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { createFrameSession, createStreamTransport, replyAttachment, REPLY_ATTACHMENT_CHARS, type FrameSession } from '../src/protocol/index.js';
import { prepareContext } from '../src/engine/prompt/context.js';
import { RUNTIME_PATH } from '../src/runtime/runtime-source.js';
import type { HostBridge, HostCall } from '../src/spec/index.js';

const PYTHON = process.env.RLMS_PYTHON ?? 'python3';
const sessions: FrameSession[] = [];

/** A FrameSession over a real stdio runtime process. */
async function open(host: HostBridge): Promise<FrameSession> {
  const child = spawn(PYTHON, ['-u', '-I', RUNTIME_PATH], { stdio: 'pipe', env: { PATH: process.env.PATH ?? '' } });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const transport = createStreamTransport({ stdin: child.stdin, stdout: child.stdout, stderr: child.stderr, exited, kill: () => void child.kill('SIGKILL') });
  const session = await createFrameSession({ sandbox: 'test', transport, host });
  sessions.push(session);
  return session;
}

afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.destroy()));
});

describe('replyAttachment', () => {
  it('takes large str and list-of-str answers only, keeping lone surrogates for JSON', () => {
    const big = 'é'.repeat(REPLY_ATTACHMENT_CHARS);
    expect(replyAttachment(big)).toMatchObject({ valueKind: 'str', valueBytes: [2 * REPLY_ATTACHMENT_CHARS] });
    expect(replyAttachment([big, '', 'x'])).toMatchObject({ valueKind: 'list', valueBytes: [2 * REPLY_ATTACHMENT_CHARS, 0, 1] });
    expect(replyAttachment('small')).toBeUndefined();
    expect(replyAttachment([big, 3])).toBeUndefined();
    expect(replyAttachment({ text: big })).toBeUndefined();
    expect(replyAttachment([big, 'lone \ud800'])).toBeUndefined();
  });
});

describe('large payloads through a real stdio runtime', () => {
  it('batched prompts go out and large answers come back as UTF-8 attachments, unchanged', async () => {
    const seen: HostCall[] = [];
    const session = await open({
      call: async (request) => {
        seen.push(request);
        if (request.op !== 'llm_query_batched') return 'lone \ud800 surrogate';
        return request.prompts.map((prompt, index) => `${index}:${prompt.length}:${'ü🦊'.repeat(20_000)}`);
      },
    });
    const result = await session.execute(
      [
        'prompts = ["p%d " % i + "é“”\\n" * 30000 for i in range(5)]',
        'answers = llm_query_batched(prompts)',
        'single = llm_query("x")',
        'print(len(answers), [a[:8] for a in answers], all(a.endswith("ü🦊" * 20000) for a in answers), ascii(single))',
      ].join('\n'),
    );
    expect(result.error).toBeUndefined();
    expect(result.stdout).toBe(
      "5 ['0:120003', '1:120003', '2:120003', '3:120003', '4:120003'] True 'lone \\ud800 surrogate'\n",
    );
    const batch = seen[0] as Extract<HostCall, { op: 'llm_query_batched' }>;
    expect(batch.prompts[2]).toBe(`p2 ${'é“”\n'.repeat(30_000)}`);
  });

  it("loads a record of documents as the same dict as JSON, through load_context's attachment", async () => {
    const session = await open({ call: async () => '' });
    const documents = { 'a.md': '# A\n“quoted” é 🦊', 'empty': '', 'b/c.txt': 'x\r\ny'.repeat(50_000) };
    const prepared = prepareContext(documents);
    expect(prepared.payload.format).toBe('documents');
    expect(await session.loadContext(prepared.payload)).toMatchObject({ type: 'dict', length: 3 });
    const check = await session.execute(
      `import json\nprint(context == json.loads(${JSON.stringify(JSON.stringify(documents))}), list(context) == ["a.md", "empty", "b/c.txt"], context_0 is context)`,
    );
    expect(check.stdout).toBe('True True True\n');
  });
});
