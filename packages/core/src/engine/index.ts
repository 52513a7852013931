export { createRLM, type RLM, type RLMQueryOptions, type RLMStream, type AnswerOf } from './create-rlm.js';
export type { RunMode } from './run-mode.js';
export { DIRECT_SYSTEM_PROMPT, buildDirectMessages } from './direct-prompt.js';
export { renderContext } from './render-context.js';
export { generateWithRetries, type ModelRetryPolicy } from './model-retry.js';
export { type RLMSession, type RLMSessionOptions, type SessionTurn, type SessionQuery } from './rlm-session.js';
export { defineTool, type RLMSettings, type RLMTool, type PromptStyle } from './settings.js';
export {
  checkSchema,
  toJsonSchema,
  isStandardSchema,
  type AnswerSchema,
  type InferSchema,
  type StandardSchemaLike,
  type SchemaCheck,
} from './schema.js';
export { validateJsonSchema, type JsonSchema, type JsonSchemaLimits, type JsonSchemaValidationOptions } from './json-schema-validate.js';
export { writePrivateFile, PRIVATE_FILE_MODE } from './write-private-file.js';
export { frameLimitBytes } from './frame-limit.js';
export type { ResolvedSettings } from './resolve-settings.js';
export type { RLMResult, RunStatus } from './result.js';
export type { LimitReached, LimitSetting } from './limit-log.js';
export type {
  RLMEvent,
  RunStartEvent,
  IterationStartEvent,
  ModelResponseEvent,
  CodeExecutionStartEvent,
  CodeExecutionEndEvent,
  SubcallStartEvent,
  SubcallEndEvent,
  BudgetExhaustedEvent,
  SandboxStartEvent,
  SandboxReadyEvent,
  SandboxRestartEvent,
  RunEndEvent,
} from './events.js';
export {
  TRAJECTORY_VERSION,
  saveTrajectory,
  type Trajectory,
  type TrajectoryStep,
  type TrajectorySubcall,
  type TrajectoryExecution,
} from './trajectory.js';
export {
  prepareContext,
  isContextPayload,
  MAX_LISTED_DOCUMENTS,
  type ContextInput,
  type ContextMetadata,
  type DocumentSize,
  type PreparedContext,
} from './context.js';
export { estimateTokens, tokenUpperBound, promptTokenUpperBound } from './token-bounds.js';
export {
  UsageTracker,
  computeCostUsd,
  findPricing,
  emptyUsageSummary,
  usageTokens,
  type UsageSummary,
  type RunUsage,
} from './usage.js';
export { parseResponse, findTextFinal, type ParsedResponse } from './code-blocks.js';
export { truncateMiddle } from './truncate.js';
export { buildSystemPrompt, buildMetadataMessage, type PromptFacts } from './prompts.js';
export { HostCallError } from './host-calls.js';
export { Semaphore, sleep } from './semaphore.js';
export { EventQueue } from './event-queue.js';
export { createMemoryCache, createFileCache, modelCallKey, type ModelCallCache } from './model-cache.js';
export { createReplay, ReplayMismatchError, type Replay } from './replay.js';
export { verifyQuotes, extractQuotes, MIN_QUOTE_CHARS, type Citation, type QuoteVerification } from './verify-quotes.js';
export { createTelemetryListener, TRACER_NAME, type TelemetrySettings } from './telemetry.js';
