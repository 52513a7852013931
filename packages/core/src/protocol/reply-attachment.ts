import { encodeUtf8, isWellFormed } from './utf8.js';

/** Replies of at least this many characters travel as an attachment (smaller ones stay JSON). */
export const REPLY_ATTACHMENT_CHARS = 64 * 1024;

/** A host call's answer as raw UTF-8: `valueBytes` gives each string's length, `valueKind` its shape. */
export interface ReplyAttachment {
  readonly valueKind: 'str' | 'list';
  readonly valueBytes: readonly number[];
  readonly bytes: Uint8Array;
}

/**
 * The attachment form of a host call's answer when it is a large string (`llm_query`) or a list of
 * strings (the batched ops): the strings' UTF-8 bytes one after the other, which the runtime decodes
 * by slicing, instead of one JSON string the runtime would have to parse. `undefined` for anything
 * else, for answers under {@link REPLY_ATTACHMENT_CHARS} characters, and for strings holding a lone
 * surrogate (JSON carries those to Python unchanged, UTF-8 cannot).
 */
export function replyAttachment(value: unknown): ReplyAttachment | undefined {
  const strings = typeof value === 'string' ? [value] : Array.isArray(value) ? value : undefined;
  if (strings === undefined) return undefined;
  let chars = 0;
  for (const item of strings) {
    if (typeof item !== 'string') return undefined;
    chars += item.length;
  }
  if (chars < REPLY_ATTACHMENT_CHARS) return undefined;
  const parts: Uint8Array[] = [];
  let total = 0;
  for (const item of strings as string[]) {
    if (!isWellFormed(item)) return undefined;
    const part = encodeUtf8(item);
    parts.push(part);
    total += part.byteLength;
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    bytes.set(part, at);
    at += part.byteLength;
  }
  return { valueKind: typeof value === 'string' ? 'str' : 'list', valueBytes: parts.map((part) => part.byteLength), bytes };
}
