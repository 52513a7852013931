export { RecursiveLanguageModel } from './recursive-language-model.js';
export type { RecursiveLanguageModelSettings, QueryOptions, QueryResult, QueryStream } from './recursive-language-model-settings.js';
export { AI_SDK_PROVIDERS, planModel, providerFamily, isModelProvider, MissingApiKeyError, type ModelSpec, type ModelOptions, type ModelPlan, type AiSdkProviderInfo } from './model-spec.js';
export { loadModel } from './load-model.js';
export { SANDBOXES, planSandbox, loadSandbox, isSandboxProvider, type SandboxName, type SandboxSpec, type SandboxPlan } from './sandbox-spec.js';
export { MissingPackageError } from './missing-package-error.js';
export { importOptional, type ModuleImporter } from './import-optional.js';
export {
  chooseMode,
  DEFAULT_DIRECT_MAX_FRACTION,
  UNKNOWN_CONTEXT_WINDOW_TOKENS,
  DIRECT_OUTPUT_RESERVE_TOKENS,
  outputReserve,
  type QueryMode,
  type ModeChoice,
} from './choose-mode.js';
// The direct prompt is the engine's (direct runs are `createRLM(...).query({ mode: 'direct' })`); re-exported for callers of this package.
export { DIRECT_SYSTEM_PROMPT, buildDirectMessages, renderContext } from '@rlms/core';
export { countTokens, countTokensWithin, tokenizerFor, type TokenizerInfo, type TokenEncoding } from './count-tokens.js';
export { estimateCost, RLM_ESTIMATE_ASSUMPTIONS, type EstimateCostOptions, type CostEstimate, type Range } from './estimate-cost.js';
export { lookupModelFacts, type ModelFacts } from './model-catalog.js';
export { loadDirectory, ALWAYS_SKIPPED_FOLDERS, DEFAULT_EXCLUDES, type LoadDirectoryOptions, type LoadDirectoryStats } from './loaders/load-directory.js';
export { loadFiles, type LoadFilesOptions } from './loaders/load-files.js';
export { loadCsv, parseCsv, type CsvOptions, type CsvRecord } from './loaders/parse-csv.js';
export { loadJsonl, parseJsonl } from './loaders/parse-jsonl.js';
export { DEFAULT_MAX_FILE_BYTES, type SkipReason, type SkipHandler } from './loaders/read-text-file.js';
export { ProgressReporter, type ProgressReporterOptions, type ProgressStream } from './progress/progress-reporter.js';
export { TracePrinter } from './progress/trace-printer.js';
export { RunMonitor, type RunState } from './progress/run-monitor.js';
