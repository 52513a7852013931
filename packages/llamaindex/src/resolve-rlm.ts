import { ConfigurationError, createRLM, type RLM, type RLMSettings } from '@rlms/core';

/** Where an adapter gets its RLM: a ready one from `createRLM`, or the settings to create one. Give exactly one. */
export interface RLMSource {
  /** An RLM from `createRLM(settings)` (or anything with the same `query` and `stream`). */
  readonly rlm?: RLM;
  /** Settings for `createRLM`; the RLM is created once, with the engine. */
  readonly settings?: RLMSettings;
}

/**
 * Returns the RLM of `source`, creating it from `settings` when needed (no I/O).
 * @throws ConfigurationError when both or neither of `rlm` and `settings` are given, or the settings are invalid.
 */
export function resolveRLM(source: RLMSource, where: string): RLM {
  const { rlm, settings } = source;
  if (rlm !== undefined && settings !== undefined) {
    throw new ConfigurationError(`${where}: give either \`rlm\` (from createRLM) or \`settings\` (RLMSettings), not both.`, {
      code: 'invalid-setting',
    });
  }
  if (rlm !== undefined) {
    const candidate = rlm as Partial<RLM> | null;
    if (typeof candidate !== 'object' || candidate === null || typeof candidate.query !== 'function' || typeof candidate.stream !== 'function') {
      throw new ConfigurationError(`${where}: \`rlm\` must be an RLM created with createRLM(settings) from @rlms/core.`, {
        code: 'invalid-setting',
      });
    }
    return rlm;
  }
  if (settings === undefined) {
    throw new ConfigurationError(
      `${where}: give \`rlm\` (from createRLM) or \`settings\` (RLMSettings), e.g. { settings: { model: fromLlamaIndex(new OpenAI({ model: 'gpt-4o-mini' })), sandbox: createLocalSandbox() } }.`,
      { code: 'missing-setting' },
    );
  }
  return createRLM(settings);
}
