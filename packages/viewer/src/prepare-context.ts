import { shorten } from './shorten-text.js';

/** One document of a dict (or item of a list) context, as embedded in the page. */
export interface ContextDocumentPreview {
  /** Its name in the dict, or its position in the list. */
  readonly key: string;
  /** Characters of the whole document (JSON length for a non-string value). */
  readonly chars: number;
  /** Its text, head and tail kept when long; absent when the page's context budget ran out before it. */
  readonly text?: string;
}

/** How a trajectory's context is embedded in the page. */
export interface ContextPreview {
  /** A str context (or a value that is neither a dict nor a list) as text, head and tail kept when long. */
  readonly value?: string;
  /** A dict or list context: its documents, in order, each with its name, size and text. */
  readonly documents?: readonly ContextDocumentPreview[];
  /** Documents past the listed ones (only counted). */
  readonly omittedDocuments?: number;
}

/** Documents of a context listed in the page (names and sizes); the rest are counted. */
const MAX_LISTED = 1_000;
/** Fewest characters of a document's text worth embedding. */
const MIN_TEXT = 200;

function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  return JSON.stringify(value, null, 1) ?? String(value);
}

/**
 * The context of a trajectory for the page: a dict (or list) becomes its documents, each with its
 * name, size and text (every document gets a share of `maxChars`, at least 1 000 characters each
 * while the budget lasts), so the viewer can list them and expand one; any other value becomes text
 * cut to `maxChars`.
 */
export function prepareContextPreview(value: unknown, maxChars: number): ContextPreview {
  if (typeof value === 'string') return { value: shorten(value, maxChars) };
  const entries: Array<[string, unknown]> | undefined = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : undefined;
  if (entries === undefined) return { value: shorten(textOf(value), maxChars) };
  const listed = entries.slice(0, MAX_LISTED);
  const share = Math.max(1_000, Math.floor(maxChars / Math.max(1, listed.length)));
  let remaining = maxChars;
  const documents = listed.map(([key, item]): ContextDocumentPreview => {
    const text = textOf(item);
    const allowance = Math.min(share, remaining);
    if (allowance < Math.min(MIN_TEXT, text.length)) return { key, chars: text.length };
    const kept = shorten(text, allowance);
    remaining -= Math.min(kept.length, allowance);
    return { key, chars: text.length, text: kept };
  });
  return { documents, ...(entries.length > listed.length ? { omittedDocuments: entries.length - listed.length } : {}) };
}
