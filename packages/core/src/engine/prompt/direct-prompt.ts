import type { ChatMessage } from '../../spec/model-provider-v1.js';

/** System prompt of a direct (non-RLM) call. */
export const DIRECT_SYSTEM_PROMPT =
  'Answer the question using the context in the user message. When the context has named documents, cite them by name ' +
  '(and by line when asked). Quote exactly where precision matters. If the context does not contain the answer, say so.';

/** Messages of a direct call: {@link DIRECT_SYSTEM_PROMPT}, then the rendered context and the question. */
export function buildDirectMessages(renderedContext: string, question: string): ChatMessage[] {
  return [
    { role: 'system', content: DIRECT_SYSTEM_PROMPT },
    { role: 'user', content: `Context:\n\n${renderedContext}\n\nQuestion: ${question}` },
  ];
}
