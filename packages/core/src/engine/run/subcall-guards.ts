import type { ModelProviderV1 } from '../../spec/model-provider-v1.js';
import type { LimitSetting } from '../accounting/limit-log.js';
import type { ResolvedSettings } from '../api/resolve-settings.js';
import { estimateTokens } from '../accounting/token-bounds.js';

/** Share of a model's window a sub-prompt may use; the rest is left for the answer. */
const WINDOW_SHARE = 0.9;

/** Characters of a refused prompt kept in the trajectory (it was never sent, so a preview identifies it). */
export const REFUSED_PROMPT_PREVIEW_CHARS = 1_000;

const format = (value: number) => value.toLocaleString('en-US');

/**
 * The names `model=` accepts in `llm_query` / `llm_query_batched`: the `subModels` keys and the
 * default sub-model's own id. The root model is accepted only as that id when it is also the
 * sub-model (no `subModel` configured).
 */
function acceptedModelNames(settings: ResolvedSettings): string[] {
  return [...new Set([settings.subModel.modelId, ...Object.keys(settings.subModels ?? {})])];
}

/**
 * The sub-model `model=` names, or a message for Python listing the accepted names (never routing
 * to another configured model, such as the root model, by its id).
 */
export function pickSubModel(settings: ResolvedSettings, name: string | undefined, op: string): ModelProviderV1 | string {
  if (name === undefined || name === null) return settings.subModel;
  const named = settings.subModels !== undefined && Object.hasOwn(settings.subModels, name) ? settings.subModels[name] : undefined;
  if (named !== undefined) return named;
  if (name === settings.subModel.modelId) return settings.subModel;
  const accepted = acceptedModelNames(settings).map((known) => JSON.stringify(known));
  const shown = typeof name === 'string' ? JSON.stringify(name.length > 100 ? `${name.slice(0, 100)}…` : name) : String(name);
  return `${op}(): model=${shown} is not a configured sub-model. Accepted names: ${accepted.join(', ')}; or leave out model= to use the default sub-model ${JSON.stringify(settings.subModel.modelId)}.`;
}

/** Characters of a prompt that fit in `model`'s window by the typical estimate (about 80 % of the window, at ~4 characters per token). */
export function windowCapacityChars(model: ModelProviderV1): number | undefined {
  const window = model.contextWindowTokens;
  return window === undefined ? undefined : Math.floor(window * WINDOW_SHARE * 4 * 0.8);
}

/** Why a prompt is not sent, and how the refusal reaches Python. */
export interface PromptRefusal {
  readonly setting: LimitSetting;
  readonly limit: number;
  /** The message for the model. */
  readonly message: string;
  /** Short text stored as the trajectory entry's `error`. */
  readonly error: string;
  /** `'raise'`: a `ValueError` in Python; `'return'`: the message is returned as the call's answer (the window guard, as before). */
  readonly delivery: 'raise' | 'return';
}

/**
 * Checks a sub-call prompt before it is sent: longer than `maxSubcallPromptChars`, or (when the
 * sub-model's `contextWindowTokens` is known) estimated past 90 % of its window. Returns the refusal,
 * or `undefined` when the prompt may be sent. Never copies the prompt.
 */
export function checkPromptSize(settings: ResolvedSettings, model: ModelProviderV1, prompt: string, op: string): PromptRefusal | undefined {
  const capacity = windowCapacityChars(model);
  const chunk = Math.min(settings.maxSubcallPromptChars, capacity ?? Infinity);
  if (prompt.length > settings.maxSubcallPromptChars) {
    return {
      setting: 'maxSubcallPromptChars',
      limit: settings.maxSubcallPromptChars,
      delivery: 'raise',
      error: `prompt longer than maxSubcallPromptChars (${format(settings.maxSubcallPromptChars)} characters)`,
      message: `${op}(): this prompt has ${format(prompt.length)} characters, more than maxSubcallPromptChars (${format(settings.maxSubcallPromptChars)}), so it was not sent. Split the text into chunks of at most ~${format(chunk)} characters and call llm_query_batched on them.`,
    };
  }
  const window = model.contextWindowTokens;
  const tokens = window === undefined ? 0 : estimateTokens(prompt);
  if (window !== undefined && tokens > window * WINDOW_SHARE) {
    return {
      setting: 'contextWindowTokens',
      limit: window,
      delivery: 'return',
      error: 'context window overflow',
      message: `Error: this prompt is about ${format(tokens)} tokens (${format(prompt.length)} characters), more than the sub-model ${model.modelId} can take (context window ${format(window)} tokens). Split it into chunks of at most ~${format(chunk)} characters and call llm_query_batched on them.`,
    };
  }
  return undefined;
}
