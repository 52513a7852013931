import { createRLM, type RLM } from '../engine/api/create-rlm.js';
import type { RLMSettings } from '../engine/api/settings.js';
import { ConfigurationError } from '../errors/errors.js';

/** Where an adapter gets its RLM: a ready one from `createRLM`, or the settings to create one. Give exactly one. */
export interface RLMSource {
  /** An RLM from `createRLM(settings)` (or an object with the methods the adapter calls). */
  readonly rlm?: RLM;
  /** Settings for `createRLM`; the RLM is created once, when the adapter is. */
  readonly settings?: RLMSettings;
}

/** The methods of an {@link RLM} an adapter may call. */
export type RLMMethod = 'query' | 'stream' | 'session';

/**
 * True when `value` is an object with every method in `methods` (default `['query']`), as an RLM
 * from `createRLM` has. Tells an RLM from its settings, which have none of them.
 */
export function isRLM(value: unknown, methods: readonly RLMMethod[] = ['query']): value is RLM {
  return typeof value === 'object' && value !== null && methods.every((method) => typeof (value as Partial<RLM>)[method] === 'function');
}

/** Options of {@link resolveRLM}. */
export interface ResolveRLMOptions {
  /** Who asks, first in error messages: `'rlmTool'`, `'new RLMQueryEngine(options)'`. */
  readonly where: string;
  /**
   * An `RLMSettings` literal in the adapter's own terms, shown when neither `rlm` nor `settings`
   * is given, e.g. `"{ model: fromAISDK(anthropic('claude-sonnet-4-5')), sandbox: createLocalSandbox() }"`.
   */
  readonly example: string;
  /** The RLM methods the adapter calls; an `rlm` without one of them is refused. Default `['query']`. */
  readonly methods?: readonly RLMMethod[];
}

/**
 * Returns the RLM of `source`, creating it from `settings` when needed. Does no I/O.
 * @throws ConfigurationError when both or neither of `rlm` and `settings` are given (`code`
 *   `'invalid-setting'` / `'missing-setting'`), when `rlm` lacks a method the adapter calls, or
 *   when the settings are invalid (from `createRLM`).
 */
export function resolveRLM(source: RLMSource, options: ResolveRLMOptions): RLM {
  const { rlm, settings } = source;
  const { where } = options;
  if (rlm !== undefined && settings !== undefined) {
    throw new ConfigurationError(`${where}: give either \`rlm\` (from createRLM) or \`settings\` (RLMSettings), not both.`, {
      code: 'invalid-setting',
    });
  }
  if (rlm !== undefined) {
    if (!isRLM(rlm, options.methods ?? ['query'])) {
      throw new ConfigurationError(`${where}: \`rlm\` must be an RLM created with createRLM(settings) from @rlms/core.`, {
        code: 'invalid-setting',
      });
    }
    return rlm;
  }
  if (settings === undefined) {
    throw new ConfigurationError(
      `${where}: give \`rlm\` (from createRLM) or \`settings\` (RLMSettings: { model, sandbox, … }), e.g. { settings: ${options.example} }.`,
      { code: 'missing-setting' },
    );
  }
  return createRLM(settings);
}
