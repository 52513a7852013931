import { ContextError } from '../errors/index.js';
import type { ContextPayload } from '../spec/index.js';
import { encodeUtf8Into, isWellFormed, utf8Length } from './utf8.js';

const NEWLINE = 0x0a;

/**
 * Encodes named text documents as a `'documents'` context payload: one line of JSON, the index
 * `[[name, utf8ByteLength], …]`, then `\n`, then each document's UTF-8 bytes in index order. Python
 * turns it into a `dict[str, str]` (same keys, same order) by decoding slices: no JSON escaping on
 * the host, no JSON parsing in the sandbox, no whole-context string.
 *
 * Returns `undefined` when a document is not well-formed UTF-16 (a lone surrogate): UTF-8 cannot
 * carry it, so such a context must travel as JSON (which escapes it) to reach Python unchanged.
 */
export function encodeDocumentsPayload(documents: Iterable<readonly [string, string]>): ContextPayload | undefined {
  const texts: string[] = [];
  const index: [string, number][] = [];
  let total = 0;
  for (const [name, text] of documents) {
    if (!isWellFormed(text)) return undefined;
    const size = utf8Length(text);
    texts.push(text);
    index.push([name, size]);
    total += size;
  }
  const head = new TextEncoder().encode(JSON.stringify(index));
  const bytes = new Uint8Array(head.byteLength + 1 + total);
  bytes.set(head);
  bytes[head.byteLength] = NEWLINE;
  let at = head.byteLength + 1;
  texts.forEach((text, position) => {
    const size = index[position]![1];
    encodeUtf8Into(text, bytes.subarray(at, at + size));
    at += size;
  });
  return { format: 'documents', bytes };
}

/**
 * Decodes a `'documents'` payload back into its documents (a sandbox or a fake that keeps the
 * context in JavaScript). Throws a `ContextError` when the index is not a list of
 * `[name, byteLength]` pairs whose lengths add up to the bytes that follow it.
 */
export function decodeDocumentsPayload(bytes: Uint8Array): Record<string, string> {
  const newline = bytes.indexOf(NEWLINE);
  const fail = (why: string): never => {
    throw new ContextError(`Invalid 'documents' context payload: ${why}.`, { code: 'invalid-context' });
  };
  if (newline < 0) fail('no index line');
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(0, newline)));
  } catch (error) {
    fail(`the index line is not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(index)) fail('the index is not a list');
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const documents: Record<string, string> = Object.create(null) as Record<string, string>;
  let at = newline + 1;
  for (const entry of index as unknown[]) {
    if (!Array.isArray(entry) || entry.length !== 2 || typeof entry[0] !== 'string' || !Number.isSafeInteger(entry[1]) || (entry[1] as number) < 0) fail('an index entry is not [name, byteLength]');
    const [name, size] = entry as [string, number];
    if (at + size > bytes.byteLength) fail(`document ${JSON.stringify(name)} runs past the end of the payload`);
    try {
      documents[name] = decoder.decode(bytes.subarray(at, at + size));
    } catch {
      fail(`document ${JSON.stringify(name)} is not valid UTF-8`);
    }
    at += size;
  }
  if (at !== bytes.byteLength) fail('the lengths in the index do not add up to the payload');
  return { ...documents };
}

/**
 * The value a context payload stands for, for a sandbox or a fake that keeps the context in
 * JavaScript: `'text'` → string, `'json'` → parsed JSON, `'documents'` → a record of strings.
 */
export function decodeContextPayload(payload: ContextPayload): unknown {
  if (payload.format === 'documents') return decodeDocumentsPayload(payload.bytes);
  const text = new TextDecoder().decode(payload.bytes);
  return payload.format === 'text' ? text : JSON.parse(text);
}
