import type { RecordedServerRequest, ServerReply, ServerReplyRequest } from '@rlms/openai/testing';

/** Root turn 1: grep the context for login code, ask a sub-model about each hit in one batch. */
export const ROOT_TURN_1 = [
  'Let me find the login code first.',
  '```repl',
  'import re',
  'hits = sorted(name for name, text in context.items() if re.search(r"def login|function login", text))',
  'print("hits:", hits)',
  'summaries = llm_query_batched([f"FILE {name}\\n{context[name]}\\nWhat does this file do?" for name in hits])',
  'answer = "\\n".join(f"{name}: {summary}" for name, summary in zip(hits, summaries))',
  'print(answer)',
  '```',
].join('\n');

/** Root turn 2: return the variable built in turn 1. */
export const ROOT_TURN_2 = 'The answer is ready.\n```repl\nFINAL_VAR("answer")\n```';

/** True for a root-model request (the RLM system prompt mentions the REPL); sub-calls have no system prompt. */
export function isRootRequest(request: Pick<ServerReplyRequest, 'systemPrompt'>): boolean {
  return request.systemPrompt?.includes('REPL') === true;
}

/** {@link isRootRequest} for a request the server recorded. */
export function isRecordedRootRequest(request: RecordedServerRequest): boolean {
  return (request.messages ?? []).some((message) => (message.role === 'system' || message.role === 'developer') && message.content.includes('REPL'));
}

/**
 * A scripted RLM conversation for the OpenAI-compatible test server: root calls get code that
 * greps the context and calls `llm_query_batched`, then `FINAL_VAR`; sub-calls get a short answer
 * naming their file (`"<file> defines login"`).
 */
export function scriptedRlmReplies(request: ServerReplyRequest): ServerReply {
  if (isRootRequest(request)) {
    const turns = request.messages.filter((message) => message.role === 'assistant').length;
    return turns === 0 ? ROOT_TURN_1 : ROOT_TURN_2;
  }
  const file = /FILE (\S+)/.exec(request.lastUserMessage ?? '')?.[1] ?? 'unknown';
  return `${file} defines login`;
}
