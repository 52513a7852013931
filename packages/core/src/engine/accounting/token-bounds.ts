/**
 * Token counts without a tokenizer. Two figures, for two jobs:
 *
 * - {@link estimateTokens}, a typical count (UTF-8 bytes / 4): what a prompt is *likely* to cost.
 *   Close for English prose and code with modern vocabularies, but 3× too low or worse for other
 *   scripts (Cyrillic, Hebrew, CJK…) and for random-looking text.
 * - {@link tokenUpperBound}, a count no tokenizer in use exceeds (UTF-8 bytes): what a prompt *may*
 *   cost. Budgets reserve this while a call is in flight, so calls started together can never spend
 *   more than was reserved for them, whatever their text.
 */

/** Typical token count of a text, used for messages to the model and window guards: UTF-8 bytes / 4, rounded up. */
export function estimateTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / 4);
}

/**
 * Tokens a chat format may add per message on top of its text (role markers, separators: 3–7 in
 * the OpenAI, ChatML, Llama 3, Gemma and Mistral templates), with room to spare.
 */
export const MESSAGE_OVERHEAD_TOKENS = 16;

/** Tokens a chat format may add once per request (begin-of-sequence, the reply's opening). */
export const REQUEST_OVERHEAD_TOKENS = 16;

/**
 * An upper bound of the tokens `text` takes with any tokenizer that covers at least one byte per
 * token: byte-level BPE (GPT-4o/o200k, cl100k, Llama 3, Qwen, DeepSeek…) and SentencePiece with
 * byte fallback (Llama 2, Mistral, Gemma). That is its UTF-8 byte count. For English text it is
 * about 4× the real count; for text of 2-byte characters (U+0080–U+07FF) about 1.2×.
 */
export function tokenUpperBound(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** {@link tokenUpperBound} of a request: every message's text plus the chat format's overhead. */
export function promptTokenUpperBound(messages: readonly { readonly content: string }[]): number {
  return messages.reduce((sum, message) => sum + tokenUpperBound(message.content) + MESSAGE_OVERHEAD_TOKENS, REQUEST_OVERHEAD_TOKENS);
}

/** {@link estimateTokens} of a request: the sum over its messages. */
export function promptTokenEstimate(messages: readonly { readonly content: string }[]): number {
  return messages.reduce((sum, message) => sum + estimateTokens(message.content), 0);
}
