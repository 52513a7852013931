import { createRequire } from 'node:module';

/** A BPE encoding shipped by `gpt-tokenizer`. */
export type TokenEncoding = 'o200k_base' | 'cl100k_base';

/** Which tokenizer counts a model's tokens, and whether the count is the model's own. */
export interface TokenizerInfo {
  readonly encoding: TokenEncoding;
  /** True for OpenAI models (the count is what the API bills); false when the count is an approximation. */
  readonly exact: boolean;
  /** One line describing the method, for reports. */
  readonly description: string;
}

interface Encoder {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
  isWithinTokenLimit(text: string, limit: number, options?: { disallowedSpecial?: Set<string> }): false | number;
}

const require = createRequire(import.meta.url);
const encoders = new Map<TokenEncoding, Encoder>();
/** Special tokens such as `<|endoftext|>` in user text are counted as plain text, never rejected. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

function encoder(encoding: TokenEncoding): Encoder {
  let loaded = encoders.get(encoding);
  if (loaded === undefined) {
    // Loaded on first use (the tables take ~150 ms to load), synchronously through the CommonJS build.
    loaded = require(`gpt-tokenizer/cjs/encoding/${encoding}`) as Encoder;
    encoders.set(encoding, loaded);
  }
  return loaded;
}

const O200K = /^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o1|o3|o4|codex)/;
const CL100K = /^(gpt-4|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/;

/** The model id without an `openai:` prefix, lower-cased; `undefined` for other providers' `provider:model` names. */
function openAIModelId(model: string): string | undefined {
  const lower = model.trim().toLowerCase();
  if (lower.startsWith('openai:')) return lower.slice('openai:'.length);
  if (lower.startsWith('ft:')) return lower.slice(3).split(':')[0];
  if (lower.includes(':')) return undefined;
  return lower;
}

/**
 * The tokenizer used for `model`:
 * - `o200k_base` (exact) for gpt-4o, gpt-4.1, gpt-4.5, gpt-5, gpt-oss and the o-series;
 * - `cl100k_base` (exact) for gpt-4, gpt-4-turbo and gpt-3.5;
 * - otherwise `o200k_base` as an approximation (`exact: false`). Modern open and hosted models
 *   (Llama 3, Qwen, Mistral, Gemini) use vocabularies of similar efficiency and usually land within
 *   ~10–15 % of it on English prose and code; Claude's tokenizer tends to count ~10–20 % more.
 */
export function tokenizerFor(model = 'gpt-4o'): TokenizerInfo {
  const id = openAIModelId(model);
  if (id !== undefined && O200K.test(id)) return { encoding: 'o200k_base', exact: true, description: 'o200k_base, exact for this OpenAI model' };
  if (id !== undefined && CL100K.test(id)) return { encoding: 'cl100k_base', exact: true, description: 'cl100k_base, exact for this OpenAI model' };
  return {
    encoding: 'o200k_base',
    exact: false,
    description: 'approximate: o200k_base; the model\'s own tokenizer may differ by ~10–20 %',
  };
}

/**
 * Counts the tokens of `text` as `model` sees them (see {@link tokenizerFor} for the tokenizer and
 * its accuracy). Special-token strings such as `<|endoftext|>` count as ordinary text.
 * Speed: roughly 5–15 MB of text per second.
 *
 * @param model a model name (`'gpt-4o'`, `'openai:gpt-5'`, `'anthropic:claude-sonnet-4-5'`…). Default `'gpt-4o'`.
 */
export function countTokens(text: string, model = 'gpt-4o'): number {
  if (text.length === 0) return 0;
  return encoder(tokenizerFor(model).encoding).countTokens(text, PLAIN_TEXT);
}

/**
 * Counts tokens only up to `limit`: returns the count when `text` has at most `limit` tokens,
 * `false` otherwise (cheaper than {@link countTokens} on texts far over the limit).
 */
export function countTokensWithin(text: string, limit: number, model = 'gpt-4o'): number | false {
  if (text.length === 0) return 0;
  return encoder(tokenizerFor(model).encoding).isWithinTokenLimit(text, limit, PLAIN_TEXT);
}
