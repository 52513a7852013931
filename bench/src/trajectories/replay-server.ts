/**
 * A scripted OpenAI-compatible server that plays one recorded trajectory back: the recorded root
 * responses to root calls, in order; the reference's default answer to the closing "answer now" call;
 * recorded sub-call replies to sub-calls.
 */
import { startOpenAICompatibleServer, type OpenAICompatibleServer, type ServerReplyRequest } from '@rlms/openai/testing';
import { closingResponse, iterationResponses, subExchange, type RealTrajectory, type SubExchange } from './trajectory-corpus.js';

/** The start of the engine's closing request (`FINAL_ANSWER_PREFIX` in `@rlms/core`'s prompts). */
const CLOSING_PREFIX = 'The run must stop now';

/** What the server served during one replay. */
export interface ReplayLog {
  /** Root iteration responses served (1-based turn = index + 1). */
  rootServed: number;
  /** rlms asked for root turn `rootServed + 1` after the script's last iteration response. */
  ranOutOfScript: boolean;
  /** rlms made the closing "answer now" call. */
  closingCalled: boolean;
  /** The closing call was answered from the recording (false: the reference made no closing call). */
  closingScripted: boolean;
  /** Sub-calls answered: how each was matched to a recorded reply. */
  readonly subcalls: { readonly matched: 'prompt' | 'order' | 'none'; readonly truncated: boolean }[];
  /** The truncated recorded replies that were served (their text ends cut, with `…`). */
  readonly truncatedReplies: string[];
}

/** A running replay server. */
export interface ReplayServer {
  readonly baseURL: string;
  readonly log: ReplayLog;
  close(): Promise<void>;
}

/** Answer given to a sub-call when every recorded reply was used. */
export const NO_RECORDED_REPLY = '(rlms replay: no recorded sub-call reply left)';

const ELLIPSIS = /\u2026$/;

function normalise(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Root calls carry a system prompt (the REPL instructions); sub-calls (`llm_query`, and `rlm_query`
 * at the maximum depth) are a single user message without one.
 */
export function isRootRequest(request: ServerReplyRequest): boolean {
  return request.systemPrompt !== undefined;
}

/**
 * The closing call starts with the engine's "The run must stop now" request; as a fallback, any root
 * call after `maxIterations` iteration calls is one (rlms never runs more iterations than that).
 */
export function isClosingRequest(request: ServerReplyRequest, served: number, maxIterations: number): boolean {
  return isRootRequest(request) && (request.lastUserMessage?.startsWith(CLOSING_PREFIX) === true || served >= maxIterations);
}

class SubReplies {
  private readonly used: boolean[];
  constructor(private readonly replies: readonly SubExchange[]) {
    this.used = replies.map(() => false);
  }

  /** The recorded reply for `prompt`: the first unused one whose recorded prompt starts it, else the next unused one (in recorded order). */
  take(prompt: string): { reply: SubExchange | undefined; matched: 'prompt' | 'order' | 'none' } {
    const wanted = normalise(prompt);
    let index = this.replies.findIndex((reply, at) => {
      if (this.used[at]) return false;
      const preview = normalise(reply.prompt.replace(ELLIPSIS, ''));
      return preview.length > 0 && wanted.startsWith(preview);
    });
    let matched: 'prompt' | 'order' | 'none' = 'prompt';
    if (index < 0) {
      // In order: the next reply recorded without a prompt, else the next unused one.
      index = this.replies.findIndex((reply, at) => !this.used[at] && reply.prompt === '');
      if (index < 0) index = this.used.indexOf(false);
      matched = 'order';
    }
    if (index < 0) return { reply: undefined, matched: 'none' };
    this.used[index] = true;
    return { reply: this.replies[index], matched };
  }
}

/**
 * Starts the replay server for `trajectory` on 127.0.0.1. A root call beyond the recorded responses,
 * and a closing call the reference never made, get an HTTP 500 marked not retryable (`x-should-retry: false`) so the run stops
 * at once; the log says which happened.
 */
export async function startReplayServer(trajectory: RealTrajectory, options: { readonly model: string }): Promise<ReplayServer> {
  const iterations = iterationResponses(trajectory);
  const closing = closingResponse(trajectory);
  const subReplies = new SubReplies(trajectory.sub_responses.map(subExchange));
  const log: ReplayLog = { rootServed: 0, ranOutOfScript: false, closingCalled: false, closingScripted: false, subcalls: [], truncatedReplies: [] };
  const server: OpenAICompatibleServer = await startOpenAICompatibleServer({
    models: [options.model],
    replies: (request) => {
      if (isClosingRequest(request, log.rootServed, trajectory.reference.max_iterations)) {
        log.closingCalled = true;
        if (closing === undefined) throw new Error('the reference made no closing call: no scripted closing answer');
        log.closingScripted = true;
        return closing;
      }
      if (isRootRequest(request)) {
        const response = iterations[log.rootServed];
        if (response === undefined) {
          log.ranOutOfScript = true;
          throw new Error(`rlms asked for root turn ${log.rootServed + 1}; the model wrote ${iterations.length}`);
        }
        log.rootServed += 1;
        return response;
      }
      const { reply, matched } = subReplies.take(request.lastUserMessage ?? '');
      log.subcalls.push({ matched, truncated: reply?.truncated === true });
      if (reply === undefined) return NO_RECORDED_REPLY;
      if (reply.truncated) log.truncatedReplies.push(reply.reply);
      return reply.reply;
    },
  });
  return { baseURL: server.baseURL, log, close: () => server.close() };
}
