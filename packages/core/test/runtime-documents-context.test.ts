import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { prepareContext } from '../src/engine/prompt/context.js';
import { encodeDocumentsPayload } from '../src/protocol/index.js';
import { RUNTIME_PATH } from '../src/runtime/runtime-source.js';

const PYTHON = process.env.RLMS_PYTHON ?? 'python3';

/**
 * Loads each payload (base64) with `Runtime.load_context` and prints, per payload, the context info
 * and `repr(context)` (ASCII: lone surrogates and all survive the trip back).
 */
async function loadInPython(payloads: readonly { format: string; bytes: Uint8Array }[]): Promise<{ info?: unknown; repr?: string; error?: string }[]> {
  const script = [
    'import base64, json, sys',
    `sys.path.insert(0, ${JSON.stringify(dirname(RUNTIME_PATH))})`,
    'import rlms_runtime as r',
    'items = json.loads(sys.stdin.read())',
    'rt = r.Runtime(host_call=lambda op, payload: None, handle_sigint=False, register_main=False)',
    'out = []',
    'for item in items:',
    '    try:',
    '        info = rt.load_context(base64.b64decode(item["bytes"]), item["format"])',
    '        out.append({"info": info, "repr": ascii(rt.namespace["context"]), "alias": rt.namespace["context_0"] is rt.namespace["context"]})',
    '    except Exception as exc:',
    '        out.append({"error": "%s: %s" % (type(exc).__name__, exc)})',
    'sys.__stdout__.write(json.dumps(out))',
  ].join('\n');
  const input = JSON.stringify(payloads.map((payload) => ({ format: payload.format, bytes: Buffer.from(payload.bytes).toString('base64') })));
  const child = promisify(execFile)(PYTHON, ['-B', '-I', '-c', script], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  child.child.stdin?.end(input);
  return JSON.parse((await child).stdout) as { info?: unknown; repr?: string; error?: string }[];
}

const json = (value: unknown) => ({ format: 'json', bytes: new TextEncoder().encode(JSON.stringify(value)) });

describe("a record of named text documents travels as a 'documents' payload", () => {
  // Object.fromEntries: `__proto__` becomes an own key, as in a record built from file names.
  const documents: Record<string, string> = Object.fromEntries(Object.entries({
    'src/a.ts': 'export const a = "quoted" \\ backslash;\n',
    'empty.txt': '',
    '\ufeffbom.txt': '\ufeffstarts with a BOM, which stays',
    'ünï/cödé.md': 'é“”🦊 — two- three- and four-byte characters\r\n\ttabs\u0000 and NUL',
    'key "with" quotes\nand newline': 'x'.repeat(100_000),
  }).concat([['__proto__', 'a key JSON keeps too']]));

  it('prepareContext chooses it for records of strings only, and keeps the metadata', () => {
    const prepared = prepareContext(documents);
    expect(prepared.payload.format).toBe('documents');
    expect(prepared.metadata).toMatchObject({ type: 'dict', length: 6, bytes: prepared.payload.bytes.byteLength });
    expect(prepareContext({ a: 'x', b: ['list'] }).payload.format).toBe('json');
    expect(prepareContext({}).payload.format).toBe('json');
    expect(prepareContext({ lone: 'half \ud83e of an emoji' }).payload.format).toBe('json');
    expect(encodeDocumentsPayload([['lone', '\udc00 low']])).toBeUndefined();
  });

  it('gives Python exactly the dict the JSON payload gives (keys, order, values)', async () => {
    const entries = Object.entries(documents);
    const payload = encodeDocumentsPayload(entries)!;
    const [viaDocuments, viaJson] = await loadInPython([payload, json(Object.fromEntries(entries))]);
    expect(viaDocuments?.error).toBeUndefined();
    expect(viaDocuments?.repr).toBe(viaJson?.repr);
    expect(viaDocuments).toMatchObject({ info: { type: 'dict', length: 6, bytes: payload.bytes.byteLength }, alias: true });
  });

  it('refuses payloads whose index does not match the bytes (a ValueError)', async () => {
    const enc = new TextEncoder();
    const raw = (text: string) => ({ format: 'documents', bytes: enc.encode(text) });
    const results = await loadInPython([
      raw('[["a", 3]]\nabcd'),
      raw('[["a", 5]]\nabc'),
      raw('[["a", -1]]\nabc'),
      raw('[["a", true]]\na'),
      raw('{"a": 1}\na'),
      raw('[[1, 1]]\na'),
      raw('no index line'),
      raw('[["a", 1e400]]\nabc'),
    ]);
    for (const result of results) expect(result.error, JSON.stringify(result)).toMatch(/^ValueError: documents context|^ValueError|^JSONDecodeError/);
    const invalidUtf8 = await loadInPython([{ format: 'documents', bytes: new Uint8Array([...enc.encode('[["a", 2]]\n'), 0xc3, 0x28]) }]);
    expect(invalidUtf8[0]?.repr).toBe("{'a': '\\ufffd('}");
  });
});
