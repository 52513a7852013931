import { isContextPayload, type ContextInput } from './context.js';

const decoder = new TextDecoder();

function renderValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item) ?? String(item))).join('\n');
  return JSON.stringify(value) ?? String(value);
}

function escapeAttribute(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
}

/**
 * Renders a context as the text a model reads in a direct (non-RLM) call:
 * - a string as is;
 * - a record of named documents as `<document name="…">` blocks, in key order, text kept exact;
 * - an array as `<item index="…">` blocks;
 * - structured values (objects, arrays of records) as compact JSON, arrays one item per line;
 * - a raw payload as its decoded UTF-8 text.
 */
export function renderContext(context: ContextInput): string {
  if (typeof context === 'string') return context;
  if (isContextPayload(context)) return decoder.decode(context.bytes);
  if (Array.isArray(context)) {
    return context.map((item, index) => `<item index="${index}">\n${renderValue(item)}\n</item>`).join('\n\n');
  }
  return Object.entries(context as Record<string, unknown>)
    .map(([name, value]) => `<document name="${escapeAttribute(name)}">\n${renderValue(value)}\n</document>`)
    .join('\n\n');
}
