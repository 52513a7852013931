import { SpanKind, SpanStatusCode, context, trace, type Attributes, type Span, type Tracer } from '@opentelemetry/api';
import type { TokenUsage } from '../../spec/usage.js';
import type { RLMEvent } from '../api/events.js';

/** Telemetry settings: `false` turns spans off; a tracer replaces the global one. */
export type TelemetrySettings = false | { readonly tracer?: Tracer };

/** Name of the instrumentation scope. */
export const TRACER_NAME = '@rlms/core';

function usageAttributes(usage: TokenUsage | undefined): Attributes {
  if (usage === undefined) return {};
  const attributes: Attributes = {};
  if (usage.inputTokens !== undefined) attributes['gen_ai.usage.input_tokens'] = usage.inputTokens;
  if (usage.outputTokens !== undefined) attributes['gen_ai.usage.output_tokens'] = usage.outputTokens;
  if (usage.cachedInputTokens !== undefined) attributes['gen_ai.usage.cache_read.input_tokens'] = usage.cachedInputTokens;
  if (usage.reasoningTokens !== undefined) attributes['gen_ai.usage.reasoning.output_tokens'] = usage.reasoningTokens;
  return attributes;
}

function modelAttributes(key: string): Attributes {
  const split = key.indexOf(':');
  return {
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': split < 0 ? 'unknown' : key.slice(0, split),
    'gen_ai.request.model': split < 0 ? key : key.slice(split + 1),
  };
}

interface RunSpans {
  run: Span;
  iteration?: Span;
  execution?: Span;
}

/**
 * Turns engine events into OpenTelemetry spans with the GenAI semantic conventions: one span per
 * run (child runs nested under the parent's code execution), per iteration, per root model call,
 * per code execution and per sub-call. Uses only `@opentelemetry/api`: without a registered tracer
 * provider every span is a no-op.
 */
export function createTelemetryListener(tracer: Tracer = trace.getTracer(TRACER_NAME)): (event: RLMEvent) => void {
  const runs = new Map<string, RunSpans>();
  const subcalls = new Map<string, Span>();
  const within = (parent: Span | undefined) => (parent === undefined ? context.active() : trace.setSpan(context.active(), parent));

  return (event) => {
    switch (event.type) {
      case 'run-start': {
        const parent = event.parentRunId === undefined ? undefined : runs.get(event.parentRunId);
        const span = tracer.startSpan(
          'rlm.run',
          {
            startTime: event.timestamp,
            attributes: {
              'rlms.run_id': event.runId,
              'rlms.mode': event.mode,
              'rlms.depth': event.depth,
              'rlms.question_chars': event.question.length,
              'rlms.context.type': event.context.type,
              'rlms.context.chars': event.context.totalChars,
            },
          },
          within(parent?.execution ?? parent?.iteration ?? parent?.run),
        );
        runs.set(event.runId, { run: span });
        break;
      }
      case 'iteration-start': {
        const spans = runs.get(event.runId);
        if (spans === undefined) break;
        spans.iteration?.end(event.timestamp);
        spans.iteration = tracer.startSpan('rlm.iteration', { startTime: event.timestamp, attributes: { 'rlms.iteration': event.iteration } }, within(spans.run));
        break;
      }
      case 'model-response': {
        const spans = runs.get(event.runId);
        const span = tracer.startSpan(
          `chat ${modelAttributes(event.model)['gen_ai.request.model']}`,
          {
            kind: SpanKind.CLIENT,
            startTime: event.timestamp - event.durationMs,
            attributes: { ...modelAttributes(event.model), ...usageAttributes(event.usage), 'rlms.cached': event.cached },
          },
          within(spans?.iteration ?? spans?.run),
        );
        if (event.costUsd !== undefined) span.setAttribute('rlms.cost_usd', event.costUsd);
        span.end(event.timestamp);
        break;
      }
      case 'code-execution-start': {
        const spans = runs.get(event.runId);
        if (spans === undefined) break;
        spans.execution = tracer.startSpan('rlm.execute', { startTime: event.timestamp, attributes: { 'rlms.block': event.block, 'rlms.code_chars': event.code.length } }, within(spans.iteration));
        break;
      }
      case 'code-execution-end': {
        const spans = runs.get(event.runId);
        const span = spans?.execution;
        if (span === undefined) break;
        if (event.result.error !== undefined) {
          span.setAttribute('rlms.error.type', event.result.error.type);
          span.setStatus({ code: SpanStatusCode.ERROR, message: `${event.result.error.type}: ${event.result.error.message}` });
        }
        if (event.result.timedOut) span.setAttribute('rlms.timed_out', true);
        span.end(event.timestamp);
        spans!.execution = undefined;
        break;
      }
      case 'subcall-start': {
        const spans = runs.get(event.runId);
        const name = event.op === 'tool' ? `execute_tool ${event.target}` : event.op === 'rlm_query' ? 'rlm.rlm_query' : `chat ${modelAttributes(event.target)['gen_ai.request.model']}`;
        const attributes: Attributes =
          event.op === 'tool'
            ? { 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': event.target }
            : event.op === 'rlm_query'
              ? { 'rlms.op': event.op }
              : { ...modelAttributes(event.target), 'rlms.op': event.op };
        subcalls.set(
          event.subcallId,
          tracer.startSpan(name, { kind: SpanKind.CLIENT, startTime: event.timestamp, attributes: { ...attributes, 'rlms.prompt_chars': event.promptChars } }, within(spans?.execution ?? spans?.iteration)),
        );
        break;
      }
      case 'subcall-end': {
        const span = subcalls.get(event.subcallId);
        if (span === undefined) break;
        subcalls.delete(event.subcallId);
        span.setAttributes(usageAttributes(event.usage));
        if (event.costUsd !== undefined) span.setAttribute('rlms.cost_usd', event.costUsd);
        if (event.error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: event.error });
        span.end(event.timestamp);
        break;
      }
      case 'run-end': {
        const spans = runs.get(event.runId);
        if (spans === undefined) break;
        runs.delete(event.runId);
        spans.execution?.end(event.timestamp);
        spans.iteration?.end(event.timestamp);
        const { result } = event;
        spans.run.setAttributes({
          'rlms.status': result.status,
          'rlms.iterations': result.iterations,
          'rlms.subcalls': result.subcalls,
          'gen_ai.usage.input_tokens': result.usage.total.inputTokens,
          'gen_ai.usage.output_tokens': result.usage.total.outputTokens,
        });
        if (result.costUsd !== undefined) spans.run.setAttribute('rlms.cost_usd', result.costUsd);
        if (result.status === 'error') spans.run.setStatus({ code: SpanStatusCode.ERROR, message: result.statusDetail ?? 'error' });
        spans.run.end(event.timestamp);
        break;
      }
      default:
        break;
    }
  };
}
