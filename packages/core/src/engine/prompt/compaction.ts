/**
 * Compaction: a long run's root conversation is kept inside the root model's context window. Near
 * the window (`compactAtFraction` of it), or when the provider says the prompt is too long, the
 * conversation is replaced by a progress summary the model writes itself; every message that left
 * the conversation stays available to its code in the REPL variable `history`.
 */
import { ModelProviderError } from '../../errors/errors.js';
import type { ChatMessage, ModelProviderV1 } from '../../spec/model-provider-v1.js';
import { promptTokenEstimate } from '../accounting/token-bounds.js';
import { truncateMiddle } from './truncate.js';

/** The first words of the request asking the model for its progress summary (replays tell it apart by them). */
export const COMPACTION_PREFIX = 'The conversation is about to be compacted';

/** Share of the window the summary request may fill with the conversation's most recent messages. */
const SUMMARY_INPUT_SHARE = 0.6;
/** The longest a single message may be inside the summary request, as a share of the window (in characters ≈ 4 × tokens). */
const MESSAGE_SHARE = 0.25;

/** Phrases providers use when a prompt does not fit the model's context window. */
const CONTEXT_LENGTH = /context[ _-]?(length|window)|maximum context|context_length_exceeded|too many tokens|prompt is too long|input is too long|exceeds? the (model'?s )?(maximum|max)/i;

/**
 * True when a model call failed because the prompt is longer than the model's context window
 * (`ModelProviderError` code `'context-length'`, or the wording providers use for it).
 */
export function isContextLengthError(error: unknown): boolean {
  if (!ModelProviderError.isInstance(error)) return false;
  return error.code === 'context-length' || CONTEXT_LENGTH.test(error.message);
}

/** The root model's window: its own (`contextWindowTokens`), else one learnt from a context-length error. */
export function rootWindow(model: ModelProviderV1, learnt: number | undefined): number | undefined {
  return model.contextWindowTokens ?? learnt;
}

/** True when the conversation's estimated size passed `fraction` of `window`. */
export function shouldCompact(messages: readonly ChatMessage[], window: number | undefined, fraction: number): boolean {
  return window !== undefined && promptTokenEstimate(messages) > window * fraction;
}

/**
 * The request for the progress summary: the run's opening messages, then as many of the most recent
 * messages as fit in part of the window (each cut to a share of it), then the request itself.
 */
export function summaryRequest(messages: readonly ChatMessage[], preamble: number, window: number | undefined): ChatMessage[] {
  const head = messages.slice(0, preamble);
  const budgetTokens = window === undefined ? Number.POSITIVE_INFINITY : window * SUMMARY_INPUT_SHARE;
  const maxChars = window === undefined ? Number.POSITIVE_INFINITY : Math.max(200, Math.floor(window * MESSAGE_SHARE * 4));
  const tail: ChatMessage[] = [];
  let used = promptTokenEstimate(head);
  for (let index = messages.length - 1; index >= preamble; index--) {
    const message = messages[index]!;
    const content = truncateMiddle(message.content, maxChars).text;
    const cost = promptTokenEstimate([{ content }]);
    if (used + cost > budgetTokens && tail.length > 0) break;
    tail.unshift({ role: message.role, content });
    used += cost;
  }
  // A conversation must not start with the model's turn after the preamble.
  while (tail[0]?.role === 'assistant' && preamble > 0 && head.at(-1)?.role === 'assistant') tail.shift();
  const dropped = messages.length - preamble - tail.length;
  return [
    ...head,
    ...tail,
    {
      role: 'user',
      content:
        `${COMPACTION_PREFIX} to stay within your context window${dropped > 0 ? ` (the ${dropped} oldest messages are not shown here)` : ''}. ` +
        'Write a progress summary that will replace it: what you have learned so far, the REPL variables you created and what each holds, ' +
        'what you have tried that did not work, and what remains to be done. Write plain text, no code block: this is not a turn, nothing is run.',
    },
  ];
}

/** The message that opens the compacted conversation after the preamble. */
export function compactedNote(summary: string, compactions: number, variable: string, archived: number): string {
  return [
    `Note: the conversation was compacted to stay within your context window (compaction ${compactions}).`,
    `All ${archived} earlier messages are in the REPL variable \`${variable}\` (a list of {"role", "content"} dicts); your variables are untouched.`,
    'Your progress summary:',
    '',
    summary.trim(),
    '',
    'Continue from here.',
  ].join('\n');
}

/** Python that sets `variable` to the messages (JSON through a string literal: any text is safe). */
export function historyCode(variable: string, messages: readonly ChatMessage[]): string {
  const json = JSON.stringify(messages.map((message) => ({ role: message.role, content: message.content })));
  return `${variable} = __import__("json").loads(${JSON.stringify(json)})`;
}
