/** Where a quote was found in the context. */
export interface Citation {
  /** The quoted text as it appears in the answer. */
  readonly quote: string;
  /** Document key (`'0'`, `'contracts/a.txt'`, `'contract_3.clauses.2'`…); `''` for a string context. */
  readonly documentKey: string;
  /** Character offset of the match in that document's text. */
  readonly offset: number;
  /** `exact`, or `normalized` (whitespace runs, curly quotes and dashes folded). */
  readonly match: 'exact' | 'normalized';
}

/** The outcome of checking an answer's quotes against the context. */
export interface QuoteVerification {
  readonly citations: readonly Citation[];
  /** Quotes found nowhere in the context: likely hallucinated. */
  readonly notFound: readonly string[];
}

/** Quotes shorter than this are not checked (too common to mean anything). */
export const MIN_QUOTE_CHARS = 12;

const QUOTE_PATTERNS = [/"([^"\n]{12,}?)"/g, /“([^”]{12,}?)”/g, /«\s?([^»]{12,}?)\s?»/g, /„([^“”]{12,}?)[“”]/g];

/** Extracts quoted spans from an answer: "…", “…”, «…», „…“ and Markdown block quotes (`> …`). */
export function extractQuotes(answer: string): string[] {
  const quotes = new Set<string>();
  for (const pattern of QUOTE_PATTERNS) {
    for (const match of answer.matchAll(pattern)) quotes.add(match[1]!.trim());
  }
  const block: string[] = [];
  const flush = () => {
    const text = block.join(' ').trim();
    if (text.length >= MIN_QUOTE_CHARS) quotes.add(text);
    block.length = 0;
  };
  for (const line of answer.split('\n')) {
    const match = /^\s*>\s?(.*)$/.exec(line);
    if (match !== null) block.push(match[1]!);
    else flush();
  }
  flush();
  return [...quotes].filter((quote) => quote.length >= MIN_QUOTE_CHARS);
}

/** Every string in a context with its document key. */
function* documentsOf(value: unknown, key = ''): Generator<{ key: string; text: string }> {
  if (typeof value === 'string') yield { key, text: value };
  else if (Array.isArray(value)) for (const [index, item] of value.entries()) yield* documentsOf(item, key === '' ? String(index) : `${key}.${index}`);
  else if (typeof value === 'object' && value !== null) {
    for (const [name, item] of Object.entries(value)) yield* documentsOf(item, key === '' ? name : `${key}.${name}`);
  }
}

/** Folds whitespace runs to one space and typographic quotes/dashes to ASCII; returns the text and a map to original offsets. */
function normalize(text: string): { text: string; offsets: number[] } {
  const out: string[] = [];
  const offsets: number[] = [];
  let space = false;
  for (let index = 0; index < text.length; index++) {
    let char = text[index]!;
    if (/\s/.test(char)) {
      if (space) continue;
      space = true;
      char = ' ';
    } else space = false;
    if (char === '“' || char === '”' || char === '„') char = '"';
    else if (char === '‘' || char === '’') char = "'";
    else if (char === '–' || char === '—') char = '-';
    out.push(char);
    offsets.push(index);
  }
  return { text: out.join(''), offsets };
}

/**
 * Checks every quoted span of `answer` against the context: first an exact match, then a
 * whitespace- and punctuation-normalised one. The guard against hallucinated citations.
 */
export function verifyQuotes(answer: string, context: unknown): QuoteVerification {
  const quotes = extractQuotes(answer);
  if (quotes.length === 0) return { citations: [], notFound: [] };
  const documents = [...documentsOf(context)];
  const normalized = new Map<number, ReturnType<typeof normalize>>();
  const citations: Citation[] = [];
  const notFound: string[] = [];
  for (const quote of quotes) {
    let found: Citation | undefined;
    for (const document of documents) {
      const offset = document.text.indexOf(quote);
      if (offset >= 0) {
        found = { quote, documentKey: document.key, offset, match: 'exact' };
        break;
      }
    }
    if (found === undefined) {
      const needle = normalize(quote).text;
      for (const [index, document] of documents.entries()) {
        let folded = normalized.get(index);
        if (folded === undefined) normalized.set(index, (folded = normalize(document.text)));
        const at = folded.text.indexOf(needle);
        if (at >= 0) {
          found = { quote, documentKey: document.key, offset: folded.offsets[at]!, match: 'normalized' };
          break;
        }
      }
    }
    if (found === undefined) notFound.push(quote);
    else citations.push(found);
  }
  return { citations, notFound };
}
