import { ConfigurationError, type ContextInput } from '@rlms/core';
import type { DocumentInterface } from '@langchain/core/documents';
import { coerceMessageLikeToMessage, getBufferString, isBaseMessage, type BaseMessage } from '@langchain/core/messages';
import type { BasePromptValueInterface } from '@langchain/core/prompt_values';
import { isDocumentArray } from './document-context.js';

/** Earlier turns of a conversation: messages, `[human, ai]` pairs, message-like tuples, or text. */
export type ChatHistory = string | readonly BaseMessage[] | readonly (readonly [string, string])[];

/**
 * Input of `RLMChain`, accepting the field names of the retrieval chains it replaces:
 * `createRetrievalChain` (`input`, `chat_history`) and `RetrievalQAChain` (`query`), plus `question`.
 */
export interface RLMChainInput {
  /** The question (`createRetrievalChain` style). */
  readonly input?: string;
  /** The question. */
  readonly question?: string;
  /** The question (`RetrievalQAChain` style). */
  readonly query?: string;
  /**
   * What to read: a string, an array, a record of named documents, or LangChain `Document`s (for
   * pipelines that put a retriever's or loader's output in `context`). Adds to the chain's bound
   * `context`/`documents`.
   */
  readonly context?: ContextInput | readonly DocumentInterface[];
  /** LangChain documents to read. Adds to the chain's bound `documents`. */
  readonly documents?: readonly DocumentInterface[];
  /** Earlier turns; folded into the question the RLM answers. */
  readonly chat_history?: ChatHistory;
}

/** Anything `RLMChain` accepts: its input object, a question string, a prompt value, or messages. */
export type RLMChainInputLike = RLMChainInput | string | BasePromptValueInterface | readonly BaseMessage[];

/** The input reduced to what a run needs. */
export interface NormalisedInput {
  /** The question with the conversation folded in. */
  readonly question: string;
  /** Input fields echoed into the output (`input`, `question`, `query`, `chat_history`). */
  readonly echo: Readonly<Record<string, unknown>>;
  /** A non-document context given in the input. */
  readonly context?: ContextInput;
  /** Documents given in the input (`documents` first, then documents passed as `context`). */
  readonly documents: readonly DocumentInterface[];
}

const ROLES = new Set(['human', 'user', 'ai', 'assistant', 'system', 'tool', 'function', 'developer']);

function historyText(history: unknown): string {
  if (typeof history === 'string') return history.trim();
  if (!Array.isArray(history) || history.length === 0) return '';
  const messages: BaseMessage[] = [];
  for (const item of history as unknown[]) {
    if (isBaseMessage(item)) messages.push(item);
    else if (Array.isArray(item) && item.length === 2 && typeof item[0] === 'string' && typeof item[1] === 'string') {
      if (ROLES.has(item[0].toLowerCase())) messages.push(coerceMessageLikeToMessage([item[0], item[1]] as [string, string]));
      else messages.push(coerceMessageLikeToMessage(['human', item[0]]), coerceMessageLikeToMessage(['ai', item[1]]));
    } else {
      try {
        messages.push(coerceMessageLikeToMessage(item as never));
      } catch (error) {
        throw new ConfigurationError(
          '`chat_history` items must be LangChain messages, [human, ai] pairs or [role, text] tuples (or pass a string).',
          { code: 'invalid-chat-history', cause: error },
        );
      }
    }
  }
  return getBufferString(messages).trim();
}

/** Folds instructions and a conversation into one question. */
function composeQuestion(question: string, history: string, instructions = ''): string {
  if (history.length === 0 && instructions.length === 0) return question;
  const parts: string[] = [];
  if (instructions.length > 0) parts.push(`Instructions:\n${instructions}`);
  if (history.length > 0) parts.push(`Conversation so far:\n${history}`);
  parts.push(`Question (answer it in the context of the conversation above):\n${question}`);
  return parts.join('\n\n');
}

/** The question from messages: the last human message, with system messages as instructions and the rest as history. */
function questionFromMessages(messages: readonly BaseMessage[]): string {
  const lastHuman = messages.findLastIndex((message) => message.getType() === 'human');
  if (lastHuman === -1) throw new ConfigurationError('RLMChain got messages without a human message: the last human message is the question.', { code: 'missing-question' });
  const instructions = messages
    .filter((message) => message.getType() === 'system')
    .map((message) => message.text.trim())
    .filter((text) => text.length > 0)
    .join('\n');
  const history = messages.filter((message, index) => message.getType() !== 'system' && index !== lastHuman);
  return composeQuestion(messages[lastHuman]!.text.trim(), history.length === 0 ? '' : getBufferString(history).trim(), instructions);
}

function isPromptValue(value: unknown): value is BasePromptValueInterface {
  return typeof value === 'object' && value !== null && typeof (value as BasePromptValueInterface).toChatMessages === 'function';
}

function missingQuestion(): ConfigurationError {
  return new ConfigurationError(
    'RLMChain needs a question: pass { input } (or { question } / { query }) as a non-empty string, a plain string, or a prompt value.',
    { code: 'missing-question' },
  );
}

/**
 * Reads any accepted input. Throws `ConfigurationError` when there is no question or a field has
 * the wrong type.
 */
export function normaliseInput(input: RLMChainInputLike): NormalisedInput {
  if (typeof input === 'string') {
    if (input.trim().length === 0) throw missingQuestion();
    return { question: input, echo: {}, documents: [] };
  }
  if (isPromptValue(input)) {
    const messages = input.toChatMessages();
    return { question: messages.length === 1 ? messages[0]!.text : questionFromMessages(messages), echo: {}, documents: [] };
  }
  if (Array.isArray(input)) {
    if (!input.every(isBaseMessage)) throw missingQuestion();
    return { question: questionFromMessages(input), echo: {}, documents: [] };
  }
  if (typeof input !== 'object' || input === null) throw missingQuestion();
  const fields = input as RLMChainInput;
  const echo: Record<string, unknown> = {};
  let question: string | undefined;
  for (const name of ['input', 'question', 'query'] as const) {
    const value = fields[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') throw new ConfigurationError(`RLMChain input \`${name}\` must be a string; got ${typeof value}.`, { code: 'invalid-input' });
    echo[name] = value;
    if (question === undefined && value.trim().length > 0) question = value;
  }
  if (question === undefined) throw missingQuestion();
  if (fields.chat_history !== undefined) echo.chat_history = fields.chat_history;
  const documents: DocumentInterface[] = [];
  if (fields.documents !== undefined) {
    if (!Array.isArray(fields.documents)) {
      throw new ConfigurationError('RLMChain input `documents` must be an array of LangChain Documents.', { code: 'invalid-input' });
    }
    documents.push(...fields.documents);
  }
  let context: ContextInput | undefined;
  if (isDocumentArray(fields.context)) documents.push(...fields.context);
  else if (fields.context !== undefined && fields.context !== null && !(Array.isArray(fields.context) && fields.context.length === 0)) {
    context = fields.context as ContextInput;
  }
  return {
    question: composeQuestion(question, historyText(fields.chat_history)),
    echo,
    documents,
    ...(context === undefined ? {} : { context }),
  };
}
