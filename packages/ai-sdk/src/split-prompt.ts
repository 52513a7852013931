import type { LanguageModelV4FilePart, LanguageModelV4Prompt, SharedV4Warning } from '@ai-sdk/provider';
import type { ContextInput } from '@rlms/core';

/** A prompt split into what the RLM loads as `context` and the question it answers. */
export interface PromptSplit {
  readonly context: ContextInput;
  readonly question: string;
  /** Parts that could not be used (images, audio…), reported as call warnings. */
  readonly warnings?: readonly SharedV4Warning[];
}

/** Options of {@link splitPrompt}. */
export interface SplitPromptOptions {
  /** A text part of at least this many characters is context, not question. */
  readonly contextThresholdChars: number;
  /** The question when the last user message is itself context (e.g. `prompt: hugeText`). */
  readonly defaultQuestion: string;
}

const TEXT_MEDIA = /^(text(\/|$)|application\/(json|xml|x-ndjson|yaml|x-yaml|csv|javascript|typescript|sql|x-sh)\b)|\+(json|xml)$/i;
const decoder = new TextDecoder();

/** The text of a file part, when it is a text document; `undefined` for images, audio, URLs… */
function fileText(part: LanguageModelV4FilePart): string | undefined {
  const { data } = part;
  if (data.type === 'text') return data.text;
  if (data.type !== 'data' || !TEXT_MEDIA.test(part.mediaType)) return undefined;
  if (data.data instanceof Uint8Array) return decoder.decode(data.data);
  return decoder.decode(Buffer.from(data.data, 'base64'));
}

function toolOutputText(output: { type: string; value?: unknown }): string | undefined {
  switch (output.type) {
    case 'text':
    case 'error-text':
      return typeof output.value === 'string' ? output.value : undefined;
    case 'json':
    case 'error-json':
      return JSON.stringify(output.value);
    case 'content':
      return (output.value as { type: string; text?: string }[])
        .map((item) => (item.type === 'text' ? item.text : undefined))
        .filter((text): text is string => text !== undefined)
        .join('\n');
    default:
      return undefined;
  }
}

/**
 * Splits an AI SDK prompt for an RLM:
 * - the question is the short text of the last user message (text parts under
 *   `contextThresholdChars`), preceded by the short system messages as instructions; when the
 *   last user message has no short text, `defaultQuestion`;
 * - every text part of at least `contextThresholdChars` characters, and every text file part
 *   (`text/*`, JSON, XML, CSV…), is a context document, named `message_<i>` (or
 *   `message_<i>_<j>` when a message has several) or by its file name;
 * - the other short user, assistant and tool messages form a `conversation` document
 *   (`role: text` lines, in order).
 * The context is the only document as a string, or a record of the named documents; with no
 * document at all, the question itself. Images, audio and URLs are skipped with a warning.
 */
export function splitPrompt(prompt: LanguageModelV4Prompt, options: SplitPromptOptions): PromptSplit {
  const threshold = options.contextThresholdChars;
  const lastUser = prompt.findLastIndex((message) => message.role === 'user');
  const documents = new Map<string, string>();
  const instructions: string[] = [];
  const questionParts: string[] = [];
  const conversation: string[] = [];
  const warnings: SharedV4Warning[] = [];

  const addDocument = (base: string, text: string) => {
    let name = base;
    for (let suffix = 2; documents.has(name); suffix++) name = `${base}_${suffix}`;
    documents.set(name, text);
  };

  prompt.forEach((message, index) => {
    const texts: { text: string; file?: string }[] = [];
    if (message.role === 'system') texts.push({ text: message.content });
    else {
      for (const part of message.content) {
        if (part.type === 'text') texts.push({ text: part.text });
        else if (part.type === 'file') {
          const text = fileText(part);
          if (text === undefined) {
            warnings.push({ type: 'unsupported', feature: `file part (${part.mediaType})`, details: 'Only text documents can be loaded as RLM context; the part was skipped.' });
          } else texts.push({ text, file: part.filename ?? `message_${index}_file` });
        } else if (part.type === 'tool-result') {
          const text = toolOutputText(part.output);
          if (text !== undefined) texts.push({ text: `[${part.toolName} result] ${text}` });
        }
      }
    }
    const large = texts.filter((item) => item.file === undefined && item.text.length >= threshold);
    for (const item of texts) {
      if (item.file !== undefined) addDocument(item.file, item.text);
      else if (item.text.length >= threshold) addDocument(large.length > 1 ? `message_${index}_${large.indexOf(item) + 1}` : `message_${index}`, item.text);
      else if (item.text.trim().length === 0) continue;
      else if (message.role === 'system') instructions.push(item.text);
      else if (index === lastUser) questionParts.push(item.text);
      else conversation.push(`${message.role}: ${item.text}`);
    }
  });

  const asked = questionParts.length > 0 ? questionParts.join('\n\n') : options.defaultQuestion;
  const question = instructions.length > 0 ? `${instructions.join('\n\n')}\n\n${asked}` : asked;
  if (conversation.length > 0) addDocument('conversation', conversation.join('\n'));
  let context: ContextInput;
  if (documents.size === 0) context = question;
  else if (documents.size === 1) context = [...documents.values()][0]!;
  else context = Object.fromEntries(documents);
  return { context, question, ...(warnings.length > 0 ? { warnings } : {}) };
}
