import { ConfigurationError } from '../../errors/errors.js';
import type { ModelProviderV1 } from '../../spec/model-provider-v1.js';
import { DEFAULT_MODEL_RETRY_POLICY } from '../model/model-retry.js';
import { reservedNameReason } from './python-names.js';
import type { RLMSettings } from './settings.js';

/** Settings with every default applied. */
export type ResolvedSettings = RLMSettings & {
  readonly subModel: ModelProviderV1;
  readonly maxDepth: number;
  readonly maxIterations: number;
  readonly executionTimeoutMs: number;
  readonly maxSubcallConcurrency: number;
  readonly maxOutputChars: number;
  readonly maxSubcalls: number;
  readonly maxSubcallPromptChars: number;
  readonly maxTrajectoryTextChars: number;
  readonly compactAtFraction: number;
  readonly maxConsecutiveErrors: number;
  readonly maxRetries: number;
  readonly retryBaseDelayMs: number;
  readonly retryMaxDelayMs: number;
  readonly maxSandboxRestarts: number;
  readonly maxSchemaRetries: number;
  readonly promptStyle: NonNullable<RLMSettings['promptStyle']>;
  readonly tools: NonNullable<RLMSettings['tools']>;
  readonly trajectoryIncludesContext: boolean;
};

function positive(name: string, value: number | undefined, fallback: number, { integer = true, min = 1 } = {}): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value) || value < min || (integer && !Number.isInteger(value))) {
    throw new ConfigurationError(`\`${name}\` must be ${integer ? 'an integer' : 'a number'} ≥ ${min}; got ${String(value)}.`, {
      code: 'invalid-setting',
    });
  }
  return value;
}

function fraction(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new ConfigurationError(`\`${name}\` must be a number in (0, 1], e.g. 0.85; got ${String(value)}.`, { code: 'invalid-setting' });
  }
  return value;
}

function isModel(value: unknown): value is ModelProviderV1 {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as ModelProviderV1).specificationVersion === 'rlms-model-v1' &&
    typeof (value as ModelProviderV1).generate === 'function'
  );
}

/** Validates settings and applies defaults. Throws `ConfigurationError` naming the bad setting. */
export function resolveSettings(settings: RLMSettings): ResolvedSettings {
  if (!isModel(settings.model)) {
    throw new ConfigurationError(
      '`model` must be a model provider (ModelProviderV1), e.g. createOpenAIProvider({ model: "gpt-4o" }) from @rlms/openai.',
      { code: 'invalid-model' },
    );
  }
  if (settings.subModel !== undefined && !isModel(settings.subModel)) {
    throw new ConfigurationError('`subModel` must be a model provider (ModelProviderV1).', { code: 'invalid-model' });
  }
  for (const [name, model] of Object.entries(settings.subModels ?? {})) {
    if (!isModel(model)) throw new ConfigurationError(`\`subModels.${name}\` must be a model provider (ModelProviderV1).`, { code: 'invalid-model' });
  }
  const sandbox = settings.sandbox as unknown;
  if (
    typeof sandbox !== 'object' ||
    sandbox === null ||
    (sandbox as { specificationVersion?: unknown }).specificationVersion !== 'rlms-sandbox-v1'
  ) {
    throw new ConfigurationError(
      '`sandbox` must be a sandbox provider (SandboxProviderV1), e.g. createLocalSandbox() from @rlms/sandbox-local or createPyodideSandbox() from @rlms/sandbox-pyodide.',
      { code: 'invalid-sandbox' },
    );
  }
  for (const name of Object.keys(settings.tools ?? {})) {
    const reason = reservedNameReason(name);
    if (reason !== undefined) {
      throw new ConfigurationError(`Tool name "${name}" is not usable in Python: ${reason}. Rename the tool (e.g. "${toolRename(name)}").`, {
        code: 'invalid-tool',
      });
    }
  }
  if (settings.maxTotalTokens !== undefined) positive('maxTotalTokens', settings.maxTotalTokens, 0);
  if (settings.maxCostUsd !== undefined) positive('maxCostUsd', settings.maxCostUsd, 0, { integer: false, min: 0 });
  if (settings.timeoutMs !== undefined) positive('timeoutMs', settings.timeoutMs, 0);
  if (settings.maxSubcallOutputTokens !== undefined) positive('maxSubcallOutputTokens', settings.maxSubcallOutputTokens, 0);
  return {
    ...settings,
    subModel: settings.subModel ?? settings.model,
    maxDepth: positive('maxDepth', settings.maxDepth, 1),
    maxIterations: positive('maxIterations', settings.maxIterations, 30),
    executionTimeoutMs: positive('executionTimeoutMs', settings.executionTimeoutMs, 120_000),
    maxSubcallConcurrency: positive('maxSubcallConcurrency', settings.maxSubcallConcurrency, 16),
    maxOutputChars: positive('maxOutputChars', settings.maxOutputChars, 20_000, { min: 100 }),
    maxSubcalls: positive('maxSubcalls', settings.maxSubcalls, 2_000),
    maxSubcallPromptChars: positive('maxSubcallPromptChars', settings.maxSubcallPromptChars, 2_000_000),
    maxTrajectoryTextChars: positive('maxTrajectoryTextChars', settings.maxTrajectoryTextChars, 200_000, { min: 100 }),
    compactAtFraction: fraction('compactAtFraction', settings.compactAtFraction, 0.85),
    maxConsecutiveErrors: positive('maxConsecutiveErrors', settings.maxConsecutiveErrors, 10),
    maxRetries: positive('maxRetries', settings.maxRetries, DEFAULT_MODEL_RETRY_POLICY.maxRetries, { min: 0 }),
    retryBaseDelayMs: positive('retryBaseDelayMs', settings.retryBaseDelayMs, DEFAULT_MODEL_RETRY_POLICY.baseDelayMs, { integer: false, min: 0 }),
    retryMaxDelayMs: positive('retryMaxDelayMs', settings.retryMaxDelayMs, DEFAULT_MODEL_RETRY_POLICY.maxDelayMs, { integer: false, min: 0 }),
    maxSandboxRestarts: positive('maxSandboxRestarts', settings.maxSandboxRestarts, 2, { min: 0 }),
    maxSchemaRetries: positive('maxSchemaRetries', settings.maxSchemaRetries, 2, { min: 0 }),
    promptStyle: settings.promptStyle ?? 'default',
    tools: settings.tools ?? {},
    trajectoryIncludesContext: settings.trajectoryIncludesContext ?? true,
  };
}

/** A suggested tool name for a reserved one. */
function toolRename(name: string): string {
  const base = name.replace(/[^A-Za-z0-9_]/g, '_').replace(/^_+/, '');
  return `${/^[A-Za-z]/.test(base) ? base : 'tool'}_tool`;
}
