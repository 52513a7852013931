import type { OpenAISystemMessageRole } from './openai-provider-settings.js';

/** The model id without a router prefix (`openai/o3-mini` → `o3-mini`), lower-cased. */
function baseModelName(modelId: string): string {
  return (modelId.split('/').at(-1) ?? modelId).toLowerCase();
}

/**
 * Whether a model id names an OpenAI reasoning model (o1, o3, o4 families and gpt-5 except the
 * `-chat` variants). These take `max_completion_tokens`, reject `temperature` and `stop`, and
 * want `developer` messages instead of `system` ones.
 */
export function isReasoningModel(modelId: string): boolean {
  const name = baseModelName(modelId);
  if (/^o\d+(?:-|$)/.test(name)) return true;
  return /^gpt-5(?:[.-]|$)/.test(name) && !name.includes('-chat');
}

/**
 * Default role for `system` messages: `'user'` for o1-mini and o1-preview (which accept neither
 * system nor developer messages), `'developer'` for other reasoning models, else `'system'`.
 */
export function defaultSystemMessageRole(modelId: string, reasoning: boolean): OpenAISystemMessageRole {
  const name = baseModelName(modelId);
  if (/^o1-(?:mini|preview)(?:-|$)/.test(name)) return 'user';
  return reasoning ? 'developer' : 'system';
}
