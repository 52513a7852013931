import type { ModelRetryEvent, RLMEvent } from '../engine/index.js';
import { formatCount, formatElapsed, joinNames, plural } from './words.js';

/** Options of {@link describeRLMEvent} and {@link RLMEventNarrator}. */
export interface DescribeRLMEventOptions {
  /** A name for the run, put first in every line: `'[docs] Iteration 1: asking the root model.'`. */
  readonly label?: string;
  /** Prefix child runs' lines with their depth (`'[depth 1] '`). Default true. */
  readonly depthPrefix?: boolean;
  /**
   * The event's run is a direct call (its `run-start` had `mode: 'direct'`): no REPL, no closing
   * call after a limit. {@link RLMEventNarrator} tracks this itself.
   */
  readonly directRun?: boolean;
  /**
   * Include error messages (a failed run's detail, a failed sub-call's error). Default true. Set
   * false where the lines reach people who must not see upstream error text (provider URLs, key
   * fragments): `rlms serve` streams these lines to its clients.
   */
  readonly errorMessages?: boolean;
}

/** A finished group of sub-calls made by one run, as {@link describeSubcallBatch} words it. */
export interface SubcallBatch {
  /** Sub-calls in the group. */
  readonly calls: number;
  /** Of them, the ones that failed. */
  readonly errors: number;
  /** Model keys or tool names called, in first-call order. */
  readonly targets: readonly string[];
  /** From the first call's start to the last one's end, when known. */
  readonly elapsedMs?: number;
  /** First error message when `calls` is 1 and it failed. */
  readonly error?: string;
  /** Retries the engine made for the group's calls (`model-retry` events). */
  readonly retries?: number;
}

/** The `[label] [depth 1] ` start of a line. */
export function linePrefix(depth: number, options: DescribeRLMEventOptions = {}): string {
  const label = options.label === undefined || options.label === '' ? '' : `[${options.label}] `;
  const where = options.depthPrefix !== false && depth > 0 ? `[depth ${depth}] ` : '';
  return `${label}${where}`;
}

/** `'3 sub-calls to openai:gpt-5-mini finished in 4.2 s (1 failed).'` — without prefix. */
export function describeSubcallBatch(batch: SubcallBatch): string {
  const to = batch.targets.length === 0 ? '' : ` to ${joinNames(batch.targets)}`;
  const time = batch.elapsedMs === undefined ? '' : ` in ${formatElapsed(batch.elapsedMs)}`;
  const retried = batch.retries === undefined || batch.retries === 0 ? '' : plural(batch.retries, 'retry', 'retries');
  if (batch.calls === 1 && batch.errors === 1) return `1 sub-call${to} failed${time}${retried === '' ? '' : ` after ${retried}`}${batch.error === undefined ? '' : `: ${batch.error}`}.`;
  const notes = [...(batch.errors === 0 ? [] : [`${formatCount(batch.errors)} failed`]), ...(retried === '' ? [] : [retried])];
  return `${plural(batch.calls, 'sub-call')}${to} finished${time}${notes.length === 0 ? '' : ` (${notes.join(', ')})`}.`;
}

/** `'Sub-calls started (llm_query_batched to mock:small).'` / `'Calling tool search.'` — the first call of a batch, without prefix. */
export function describeSubcallsStarting(op: string, target: string): string {
  return op === 'tool' ? `Calling tool ${target}.` : `Sub-calls started (${op} to ${target}).`;
}

/**
 * `'Sub-call to openai:gpt-5-mini failed (HTTP 429: Rate limit reached); retry 1 of 2 in 1.5 s.'`
 * — a `model-retry` event without prefix; the error text only with `errorMessages`.
 */
function describeModelRetry(event: ModelRetryEvent, errorMessages = true): string {
  const who = event.subcallId === undefined ? `The root model (${event.model})` : `Sub-call to ${event.model}`;
  const status = event.statusCode === undefined ? '' : `HTTP ${event.statusCode}`;
  // Provider messages often name the status already ("… rate limited (429): …"): say it once.
  const repeated = event.statusCode !== undefined && event.error.includes(String(event.statusCode));
  const why = errorMessages ? [repeated ? '' : status, event.error].filter((part) => part !== '').join(': ') : status;
  return `${who} failed${why === '' ? '' : ` (${why})`}; retry ${event.retry} of ${event.maxRetries} in ${formatElapsed(event.delayMs)}.`;
}

const COMPACTION_TRIGGERS = {
  window: "it neared the root model's context window",
  'context-length': "the model's provider refused it as too long",
} as const;

/** How the interpreter started, as the start of the `sandbox-ready` line's parenthesis. */
const SNAPSHOT_WORDS = { none: 'booted, ', memory: 'restored from a snapshot, ', disk: 'restored from the snapshot on disk, ', unknown: '' } as const;

function contextShape(type: string, length: number, totalChars: number): string {
  const chars = plural(totalChars, 'character');
  if (type === 'dict') return `${plural(length, 'document')}, ${chars}`;
  if (type === 'list') return `${plural(length, 'item')}, ${chars}`;
  return `one text, ${chars}`;
}

/**
 * The words for one event, without prefix, or `undefined` for an event not worth a line on its
 * own (a sub-call starting). A sub-call's end is worded as a batch of one; {@link RLMEventNarrator}
 * groups the sub-calls of a batch into one line.
 */
function words(event: RLMEvent, direct: boolean, errorMessages: boolean): string | undefined {
  switch (event.type) {
    case 'run-start': {
      const kind = event.mode === 'direct' ? 'Direct call' : event.depth === 0 ? 'Run' : 'Child run';
      const { type, length, totalChars } = event.context;
      return `${kind} started (context: ${contextShape(type, length, totalChars)}).`;
    }
    case 'sandbox-start':
      return `Starting the ${event.sandbox} sandbox.`;
    case 'sandbox-ready':
      return `The ${event.sandbox} sandbox is ready after ${formatElapsed(event.durationMs)} (${SNAPSHOT_WORDS[event.snapshot ?? 'unknown']}context loaded in ${formatElapsed(event.loadContextMs)}).`;
    case 'sandbox-restart':
      return `The sandbox was restarted: ${event.reason}.`;
    case 'iteration-start':
      return direct ? 'Direct call: asking the model.' : `Iteration ${event.iteration}: asking the root model.`;
    case 'model-response':
      return event.cached
        ? `Iteration ${event.iteration}: the model's reply came from the cache (${plural(event.totalUsage.total.totalTokens, 'token')} so far).`
        : `Iteration ${event.iteration}: the model replied after ${formatElapsed(event.durationMs)} (${plural(event.totalUsage.total.totalTokens, 'token')} so far).`;
    case 'code-execution-start':
      return `Iteration ${event.iteration}: running code block ${event.block + 1}.`;
    case 'code-execution-end': {
      const { result } = event;
      const time = formatElapsed(result.durationMs);
      const outcome =
        result.final !== undefined
          ? `returned the final answer after ${time}`
          : result.timedOut
            ? `timed out after ${time}`
            : result.error !== undefined
              ? `raised ${result.error.type} after ${time}`
              : `finished in ${time}`;
      return `Iteration ${event.iteration}: code block ${event.block + 1} ${outcome}.`;
    }
    case 'subcall-start':
      return undefined;
    case 'subcall-end':
      return describeSubcallBatch({
        calls: 1,
        errors: event.error === undefined ? 0 : 1,
        targets: [event.target],
        elapsedMs: event.durationMs,
        ...(event.error === undefined || !errorMessages ? {} : { error: event.error }),
      });
    case 'model-retry':
      return describeModelRetry(event, errorMessages);
    case 'compaction':
      return `Iteration ${event.iteration}: compacting the conversation (${plural(event.messages, 'message')}, about ${plural(event.estimatedTokens, 'token')}) because ${COMPACTION_TRIGGERS[event.trigger]}.`;
    case 'budget-exhausted':
      // A direct run makes no closing call: there is nothing to answer from.
      return `Limit reached (${event.reason.replace(/_/g, ' ')}): ${event.detail}${direct ? '' : '; asking for the best answer so far'}.`;
    case 'run-end': {
      const { result } = event;
      const kind = event.depth === 0 ? 'Run' : 'Child run';
      const detail = result.status === 'completed' || result.statusDetail === undefined ? '' : ` (${result.statusDetail})`;
      return `${kind} ${result.status}${detail} after ${plural(result.iterations, 'iteration')} and ${plural(result.subcalls, 'sub-call')}.`;
    }
    default:
      return undefined;
  }
}

/**
 * One short human line for an RLM event, e.g. `'Iteration 2: running code block 1.'`, or
 * `undefined` for an event not worth a line on its own (a sub-call starting). Child runs' lines
 * start with their depth (`'[depth 1] …'`), and with `options.label` when given. Stateless: each
 * sub-call's end is its own line; use {@link RLMEventNarrator} to word a batch as one line.
 * Every rlms adapter and the CLI word progress with this function.
 */
export function describeRLMEvent(event: RLMEvent, options: DescribeRLMEventOptions = {}): string | undefined {
  const text = words(options.errorMessages === false ? withoutErrorText(event) : event, options.directRun === true, options.errorMessages !== false);
  return text === undefined ? undefined : `${linePrefix(event.depth, options)}${text}`;
}

/** The event without a failed run's detail (sub-call errors: see `words`). */
function withoutErrorText(event: RLMEvent): RLMEvent {
  if (event.type === 'run-end' && event.result.status === 'error' && event.result.statusDetail !== undefined) {
    const { statusDetail: _detail, ...result } = event.result;
    return { ...event, result };
  }
  return event;
}
