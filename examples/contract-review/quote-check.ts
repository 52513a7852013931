/**
 * Renders `result.citations` (from `verifyQuotes: true`) as an audit trail: every quote of the
 * answer that was found in a contract, with the contract and offset, and every quote that was not
 * found verbatim. A verified quote is also checked against the contract the answer names for it
 * (the last `contract_…` key written before the quote).
 */
import type { QueryResult } from 'rlms';

/** What `verifyQuotes: true` adds to a result: the quotes found (with document and offset) and those not found. */
export type QuoteVerification = NonNullable<QueryResult['citations']>;

/** Counts behind the rendering, for callers that want them. */
export interface QuoteCheck {
  readonly text: string;
  readonly verified: number;
  readonly exact: number;
  readonly misattributed: number;
  readonly notFound: number;
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The contract key (`contract_042`) written last before `position` in the answer, if any. */
function namedContract(answer: string, position: number, pattern: RegExp): string | undefined {
  let last: string | undefined;
  for (const match of answer.slice(0, position).matchAll(pattern)) last = match[0];
  return last;
}

/**
 * Renders the verification. `keyPattern` finds contract keys in the answer (default
 * `/contract_\d+/g`); quotes whose contract cannot be told from the answer are not flagged.
 */
export function renderQuoteCheck(answer: string, verification: QuoteVerification, keyPattern = /contract_\d+/g): QuoteCheck {
  const lines: string[] = [];
  let exact = 0;
  let misattributed = 0;
  const verifiedLines: string[] = [];
  for (const citation of verification.citations) {
    if (citation.match === 'exact') exact++;
    const named = namedContract(answer, answer.indexOf(citation.quote), keyPattern);
    const wrong = named !== undefined && named !== citation.documentKey;
    if (wrong) misattributed++;
    const where = `${citation.documentKey} @ ${citation.offset.toLocaleString('en-US')}${citation.match === 'normalized' ? ', whitespace-normalised' : ''}`;
    verifiedLines.push(`  ${wrong ? '!' : '✓'} ${where}${wrong ? ` (the answer puts it under ${named})` : ''}: "${shorten(citation.quote, 90)}"`);
  }
  const total = verification.citations.length + verification.notFound.length;
  lines.push(
    `Quote check (verifyQuotes): ${total} quotes in the answer; ${verification.citations.length} found in the contracts ` +
      `(${exact} exact, ${verification.citations.length - exact} after folding whitespace), ${misattributed} under the wrong contract, ${verification.notFound.length} not found`,
  );
  if (verifiedLines.length > 0) lines.push('Verified:', ...verifiedLines);
  if (verification.notFound.length > 0) {
    lines.push('Not found verbatim in any contract (abridged, paraphrased or invented: check them by hand):');
    lines.push(...verification.notFound.map((quote) => `  ✗ "${shorten(quote, 140)}"`));
  }
  return { text: lines.join('\n'), verified: verification.citations.length, exact, misattributed, notFound: verification.notFound.length };
}
