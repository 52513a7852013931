export { createRLM, type RLM, type RLMQueryOptions, type RLMStream, type AnswerOf } from './api/create-rlm.js';
export type { RunMode } from './api/run-mode.js';
export { DIRECT_SYSTEM_PROMPT, buildDirectMessages } from './prompt/direct-prompt.js';
export { renderContext } from './prompt/render-context.js';
export { generateWithRetries, type ModelRetryPolicy } from './model/model-retry.js';
export { type RLMSession, type RLMSessionOptions, type SessionTurn, type SessionQuery } from './api/rlm-session.js';
export { defineTool, type RLMSettings, type RLMTool, type PromptStyle } from './api/settings.js';
export {
  checkSchema,
  toJsonSchema,
  isStandardSchema,
  type AnswerSchema,
  type InferSchema,
  type StandardSchemaLike,
  type SchemaCheck,
} from './schema/schema.js';
export { validateJsonSchema, type JsonSchema, type JsonSchemaLimits, type JsonSchemaValidationOptions } from './schema/json-schema-validate.js';
export { writePrivateFile, PRIVATE_FILE_MODE } from './record/write-private-file.js';
export { frameLimitBytes } from './run/frame-limit.js';
export type { ResolvedSettings } from './api/resolve-settings.js';
export type { RLMResult, RunStatus } from './api/result.js';
export type { LimitReached, LimitSetting } from './accounting/limit-log.js';
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
  ModelRetryEvent,
  CompactionEvent,
  RunEndEvent,
} from './api/events.js';
export {
  TRAJECTORY_VERSION,
  saveTrajectory,
  type Trajectory,
  type TrajectoryStep,
  type TrajectorySubcall,
  type TrajectoryExecution,
} from './record/trajectory.js';
export type { RunTimings } from './record/run-timings.js';
export {
  prepareContext,
  isContextPayload,
  MAX_LISTED_DOCUMENTS,
  type ContextInput,
  type ContextMetadata,
  type DocumentSize,
  type PreparedContext,
} from './prompt/context.js';
export { estimateTokens, tokenUpperBound, promptTokenUpperBound } from './accounting/token-bounds.js';
export {
  UsageTracker,
  computeCostUsd,
  findPricing,
  emptyUsageSummary,
  usageTokens,
  type UsageSummary,
  type RunUsage,
} from './accounting/usage.js';
export { parseResponse, findTextFinal, type ParsedResponse } from './answer/code-blocks.js';
export { truncateMiddle } from './prompt/truncate.js';
export { buildSystemPrompt, buildMetadataMessage, type PromptFacts } from './prompt/prompts.js';
export { HostCallError } from './run/host-calls.js';
export { Semaphore, sleep } from './run/semaphore.js';
export { EventQueue } from './api/event-queue.js';
export { streamEvents, type EventStream } from './api/event-stream.js';
export { createMemoryCache, createFileCache, modelCallKey, type ModelCallCache } from './model/model-cache.js';
export { createReplay, ReplayMismatchError, type Replay } from './model/replay.js';
export { verifyQuotes, extractQuotes, MIN_QUOTE_CHARS, type Citation, type QuoteVerification } from './answer/verify-quotes.js';
export { createTelemetryListener, TRACER_NAME, type TelemetrySettings } from './record/telemetry.js';
