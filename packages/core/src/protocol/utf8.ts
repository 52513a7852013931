const encoder = new TextEncoder();

type NodeBuffer = { byteLength(text: string, encoding: 'utf8'): number };
const nodeBuffer = (globalThis as { Buffer?: NodeBuffer }).Buffer;

/** UTF-8 length of `text` (lone surrogates count as U+FFFD, as `TextEncoder` writes them). */
export function utf8Length(text: string): number {
  if (nodeBuffer !== undefined) return nodeBuffer.byteLength(text, 'utf8');
  return encoder.encode(text).byteLength;
}

/**
 * Encodes `text` as UTF-8 into a buffer of exactly the right size (no over-allocation, one pass of
 * copying: faster than `TextEncoder.encode` for large strings). Lone surrogates become U+FFFD.
 */
export function encodeUtf8(text: string): Uint8Array {
  const bytes = new Uint8Array(utf8Length(text));
  encoder.encodeInto(text, bytes);
  return bytes;
}

/** Writes `text` as UTF-8 into `target` (sized with {@link utf8Length}). */
export function encodeUtf8Into(text: string, target: Uint8Array): void {
  encoder.encodeInto(text, target);
}

/**
 * True when `text` has no lone surrogate, so UTF-8 carries it unchanged (`String.prototype.isWellFormed`,
 * with a fallback for engines without it).
 */
export function isWellFormed(text: string): boolean {
  const native = (text as { isWellFormed?: () => boolean }).isWellFormed;
  if (typeof native === 'function') return native.call(text);
  return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}
