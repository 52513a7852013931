import { Buffer } from 'node:buffer';
import { expect } from 'vitest';
import { ContextError } from '../../errors/index.js';
import type { SuiteHarness } from './sandbox-suite-harness.js';

const LARGE_CONTEXT_BYTES = 50 * 1024 * 1024;
const NEEDLE = 'NEEDLE-7f3a';
const FILLER = 'lorem ipsum dolor sit amet, consectetur adipiscing elit. ';

function contextSize(maxContextBytes: number | undefined): number {
  return Math.min(LARGE_CONTEXT_BYTES, maxContextBytes ?? LARGE_CONTEXT_BYTES);
}

/** ASCII text of `size` bytes with `needles` non-overlapping copies of NEEDLE. */
function buildText(size: number, needles: number): Buffer {
  const buffer = Buffer.alloc(size, FILLER);
  const step = Math.floor(size / needles);
  for (let index = 0; index < needles; index += 1) buffer.write(NEEDLE, index * step + 7, 'latin1');
  return buffer;
}

/** JSON object of `documents` documents (`doc-0`…), about `size` bytes, one NEEDLE in every third document. */
function buildDocuments(size: number, documents: number): { bytes: Buffer; needles: number } {
  const docSize = Math.max(64, Math.floor(size / documents) - 16);
  const body = FILLER.repeat(Math.ceil(docSize / FILLER.length)).slice(0, docSize);
  const withNeedle = NEEDLE + body.slice(NEEDLE.length);
  const parts: string[] = [];
  let needles = 0;
  for (let index = 0; index < documents; index += 1) {
    const hasNeedle = index % 3 === 0;
    if (hasNeedle) needles += 1;
    parts.push(`${JSON.stringify(`doc-${index}`)}:"${hasNeedle ? withNeedle : body}"`);
  }
  return { bytes: Buffer.from(`{${parts.join(',')}}`, 'latin1'), needles };
}

/** Large contexts (50 MB by default, `capabilities.maxContextBytes` when smaller) and bad payloads. */
export function defineContextCases(h: SuiteHarness): void {
  h.defineCase('large-context-json', 'loads a 50 MB JSON dict of documents and searches it (time noted, not asserted)', async (context) => {
    const size = contextSize(h.capabilities().maxContextBytes);
    const documents = 500;
    const { bytes, needles } = buildDocuments(size, documents);
    const { session } = await h.fresh();
    const started = performance.now();
    const info = await session.loadContext({ format: 'json', bytes });
    const loadedMs = performance.now() - started;
    expect(info).toEqual({ type: 'dict', length: documents, bytes: bytes.length });
    const result = await h.runOk(session, `sum(doc.count(${JSON.stringify(NEEDLE)}) for doc in context.values())`);
    expect(result.stdout).toBe(`${needles}\n`);
    const totalMs = performance.now() - started;
    await context.annotate?.(`${(bytes.length / 1048576).toFixed(0)} MB JSON: load ${loadedMs.toFixed(0)} ms, load+search ${totalMs.toFixed(0)} ms`);
  });

  h.defineCase('large-context-text', 'loads a 50 MB text context and counts a needle (time noted, not asserted)', async (context) => {
    const size = contextSize(h.capabilities().maxContextBytes);
    const needles = 1000;
    const bytes = buildText(size, needles);
    const { session } = await h.fresh();
    const started = performance.now();
    const info = await session.loadContext({ format: 'text', bytes });
    const loadedMs = performance.now() - started;
    expect(info).toEqual({ type: 'str', length: size, bytes: size });
    const result = await h.runOk(session, `print(context.count(${JSON.stringify(NEEDLE)}), len(context))`);
    expect(result.stdout).toBe(`${needles} ${size}\n`);
    await context.annotate?.(`${(size / 1048576).toFixed(0)} MB text: load ${loadedMs.toFixed(0)} ms`);
  });

  h.defineCase('context-errors', 'invalid context payloads reject with ContextError; the session lives on', async () => {
    const { session } = await h.shared();
    await expect(
      session.loadContext({ format: 'json', bytes: new TextEncoder().encode('{not json') }),
    ).rejects.toSatisfy((error: unknown) => ContextError.isInstance(error));
    await expect(
      session.loadContext({ format: 'xml' as 'json', bytes: new Uint8Array(1) }),
    ).rejects.toSatisfy((error: unknown) => ContextError.isInstance(error));
    const info = await session.loadContext({ format: 'json', bytes: new TextEncoder().encode('[1, 2, 3]') });
    expect(info).toEqual({ type: 'list', length: 3, bytes: 9 });
    const named = await session.loadContext(
      { format: 'text', bytes: new TextEncoder().encode('second') },
      { variableName: 'rlms_other_context' },
    );
    expect(named.type).toBe('str');
    expect((await h.runOk(session, 'print(context, rlms_other_context)')).stdout).toBe('[1, 2, 3] second\n');
  });
}
