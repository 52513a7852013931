import { buildDirectMessages, renderContext, type ContextInput, type ModelProviderV1 } from '@rlms/core';
import { chooseMode, DEFAULT_DIRECT_MAX_FRACTION, UNKNOWN_CONTEXT_WINDOW_TOKENS, type ModeChoice, type QueryMode } from './choose-mode.js';
import { contextChars } from './context-chars.js';
import { countTokensWithin } from './count-tokens.js';
import { lookupModelFacts } from './model-catalog.js';
import type { RecursiveLanguageModelSettings } from './recursive-language-model-settings.js';

/** No text averages more characters per token than this; larger contexts skip counting in `'auto'`. */
const MAX_CHARS_PER_TOKEN = 12;

/**
 * The policy of `mode`: `'rlm'` and `'direct'` as asked; `'auto'` counts the direct prompt (up to
 * the root window, skipped for contexts obviously too large) and applies `chooseMode`, never
 * picking a direct call over `maxTotalTokens`. The engine runs what it decides.
 */
export async function decideMode(options: {
  readonly requested: QueryMode;
  readonly context: ContextInput;
  readonly question: string;
  readonly model: ModelProviderV1;
  /** Name for the tokenizer and the price tables (`'gpt-4o'`, `'anthropic:…'`). */
  readonly modelRef: string;
  /** Name shown in reasons. */
  readonly modelName: string;
  readonly settings: RecursiveLanguageModelSettings;
}): Promise<ModeChoice> {
  const { requested, context, question, modelRef, settings } = options;
  if (requested === 'rlm') return { mode: 'rlm', fits: false, fitsComfortably: false, reason: 'mode "rlm" was requested' };
  if (requested === 'direct') return { mode: 'direct', fits: true, fitsComfortably: true, reason: 'mode "direct" was requested' };
  let window = settings.contextWindowTokens ?? options.model.contextWindowTokens;
  if (window === undefined) {
    const facts = await lookupModelFacts(modelRef, settings.importModule === undefined ? {} : { importer: settings.importModule });
    window = facts.contextWindowTokens;
  }
  const fraction = settings.directMaxFraction ?? DEFAULT_DIRECT_MAX_FRACTION;
  // Count up to the whole window (not just the direct limit) so the reason can say how full it is.
  const limit = window ?? UNKNOWN_CONTEXT_WINDOW_TOKENS;
  if (contextChars(context) > limit * MAX_CHARS_PER_TOKEN) {
    return chooseMode({ promptTokens: undefined, windowTokens: window, modelName: options.modelName, directMaxFraction: fraction });
  }
  const rendered = renderContext(context);
  const [system, user] = buildDirectMessages(rendered, question);
  const within = countTokensWithin(`${system!.content}\n${user!.content}`, limit, modelRef);
  const promptTokens = within === false ? undefined : within + 10;
  const maxTotal = settings.maxTotalTokens;
  if (promptTokens !== undefined && maxTotal !== undefined && promptTokens > maxTotal) {
    return { mode: 'rlm', fits: true, fitsComfortably: true, reason: `the prompt (${promptTokens} tokens) exceeds maxTotalTokens (${maxTotal})` };
  }
  return chooseMode({ promptTokens, windowTokens: window, modelName: options.modelName, directMaxFraction: fraction });
}
