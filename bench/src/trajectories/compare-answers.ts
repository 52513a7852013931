/**
 * Compares rlms's answer with the reference's: the same, equivalent (and by which normalisations),
 * or different.
 */

/** How two answers compare. */
export type AnswerMatch =
  | { readonly kind: 'same' }
  /** `how`: the normalisations that made them equal, in the order applied. */
  | { readonly kind: 'equivalent'; readonly how: string }
  | { readonly kind: 'different' };

/** Context for {@link compareAnswers}. */
export interface CompareOptions {
  /** Recorded sub-call replies that were cut at 200 characters (ending in `…`) and served to rlms. */
  readonly truncatedReplies?: readonly string[];
  /** Both runs ended on the closing call: the reference returns that whole response, rlms its FINAL(...) part. */
  readonly bothClosing?: boolean;
}

type Step = readonly [name: string, apply: (text: string) => string];

/** Normalisations, applied cumulatively in this order. */
const STEPS: readonly Step[] = [
  ['whitespace', (text) => text.replace(/\s+/g, ' ').trim()],
  [
    'quotes',
    (text) => {
      let value = text.replace(/[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'").replace(/'/g, '"');
      for (;;) {
        const stripped = value.replace(/^(["`*])([\s\S]*)\1$/, '$2').trim();
        if (stripped === value) return value;
        value = stripped;
      }
    },
  ],
  ['case', (text) => text.toLowerCase()],
  ['python literals', (text) => text.replace(/\btrue\b/g, 'True').replace(/\bfalse\b/g, 'False').replace(/\bnull\b|\bnone\b/gi, 'None')],
  [
    'number formatting',
    (text) =>
      text
        .replace(/(\d),(?=\d{3}\b)/g, '$1')
        .replace(/(\d+)\.0+\b/g, '$1')
        .replace(/(\d+\.\d*?)0+\b/g, '$1'),
  ],
  ['trailing punctuation', (text) => text.replace(/[.!;,\s]+$/, '')],
];

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * rlms's answer holds a recorded sub-call reply that was cut at 200 characters (`…`) where the
 * reference's answer has the full reply: equal when the reference's answer matches rlms's with each
 * cut reply standing for any continuation.
 */
function matchesWithCutReplies(rlms: string, real: string, cutReplies: readonly string[]): boolean {
  let pattern = escapeRegExp(rlms);
  let used = false;
  for (const reply of cutReplies) {
    const escaped = escapeRegExp(reply);
    const head = escapeRegExp(reply.replace(/\u2026$/, ''));
    if (!pattern.includes(escaped)) continue;
    used = true;
    pattern = pattern.split(escaped).join(`${head}[\\s\\S]*?`);
  }
  return used && new RegExp(`^${pattern}$`).test(real);
}

/** `text` without its fenced blocks (a fence left open runs to the end). */
function withoutFencedBlocks(text: string): string {
  return text.replace(/^[ \t]*(`{3,}|~{3,})[^\n]*\n[\s\S]*?(?:^[ \t]*\1[^\n]*$|(?![\s\S]))/gm, '');
}

/** Compares the two answers. Leading and trailing whitespace never counts as a difference. */
export function compareAnswers(rlms: string, real: string, options: CompareOptions = {}): AnswerMatch {
  if (rlms.trim() === real.trim()) return { kind: 'same' };
  const applied: string[] = [];
  let left = rlms;
  let right = real;
  for (const [name, apply] of STEPS) {
    const nextLeft = apply(left);
    const nextRight = apply(right);
    if (nextLeft === left && nextRight === right) continue;
    left = nextLeft;
    right = nextRight;
    applied.push(name);
    if (left === right) return { kind: 'equivalent', how: applied.join(', ') };
  }
  const cut = options.truncatedReplies ?? [];
  if (cut.length > 0 && matchesWithCutReplies(rlms.trim(), real.trim(), cut)) {
    return { kind: 'equivalent', how: 'a recorded sub-call reply was cut at 200 characters; the rest matches' };
  }
  if (options.bothClosing === true && left.length > 0 && right.includes(left)) {
    return { kind: 'equivalent', how: 'closing call: the reference returns the whole response, rlms the FINAL(...) inside it' };
  }
  if (options.bothClosing === true) {
    const flat = (text: string) => text.replace(/\s+/g, ' ').trim();
    const withoutCode = flat(withoutFencedBlocks(real));
    if (withoutCode.length > 0 && (withoutCode === flat(rlms) || withoutCode.includes(flat(rlms)))) {
      return { kind: 'equivalent', how: 'closing call: rlms returns the reply without its code blocks, the reference the raw reply' };
    }
  }
  return { kind: 'different' };
}
