import { isContextPayload, type ContextInput } from '@rlms/core';

/**
 * Characters of text in a context without rendering it: string lengths (JSON length for
 * structured values). A cheap size used to skip token counting on contexts that are obviously large.
 */
export function contextChars(context: ContextInput): number {
  if (typeof context === 'string') return context.length;
  if (isContextPayload(context)) return context.bytes.byteLength;
  const values = Array.isArray(context) ? context : Object.values(context as Record<string, unknown>);
  let total = 0;
  for (const value of values) {
    if (typeof value === 'string') total += value.length + 40;
    else total += (JSON.stringify(value)?.length ?? 0) + 40;
  }
  return total;
}
