import { invalidRequest } from './openai-error.js';
import type { ChatTextMessage } from './parse-chat-request.js';

/** The RLM query a list of chat messages becomes. */
export interface MessagesQuery {
  /** What the root model is asked (short: instructions, short turns, the last user message). */
  readonly question: string;
  /** Named documents loaded as the REPL's `context` dict. Never empty. */
  readonly context: Readonly<Record<string, string>>;
}

/** Characters of a long last message shown at its start and end in the question. */
const PREVIEW_CHARS = 400;

function label(message: ChatTextMessage): string {
  return message.name === undefined ? message.role : `${message.role} (${message.name})`;
}

/**
 * Turns chat messages into an RLM question and context. The rule, with T = `thresholdChars`:
 *
 * 1. Every text part longer than T characters (of any message) is moved into `context` under
 *    `message_<i>` (or `message_<i>_part_<j>` when the message has several parts; i and j are 0-based)
 *    and replaced in the text by a note naming its key.
 * 2. The last `user` message is the request. When all of it was moved, the question quotes its first
 *    and last 400 characters and asks the model to do what it says.
 * 3. `system`/`developer` messages are instructions: quoted in the question when their text (after
 *    step 1) is at most T characters, else moved to `context["instructions"]`.
 * 4. The other messages (earlier turns, tool results) form the conversation: quoted in the question
 *    when at most T characters, else moved to `context["conversation"]`.
 * 5. When nothing was moved, `context["conversation"]` holds the whole conversation as text, so the
 *    context is never empty.
 *
 * Throws a 400 `HttpError` when no message has the `user` role.
 */
export function messagesToQuery(messages: readonly ChatTextMessage[], options: { readonly thresholdChars: number }): MessagesQuery {
  const limit = options.thresholdChars;
  const lastUser = messages.findLastIndex((message) => message.role === 'user');
  if (lastUser === -1) throw invalidRequest('messages must contain a "user" message: the last one is the question the RLM answers.', 'messages');
  const context: Record<string, string> = {};

  /** The message's text with long parts moved into `context`; `allMoved` when nothing short is left. */
  const render = (message: ChatTextMessage, index: number): { text: string; allMoved: boolean; moved: string[] } => {
    const pieces: string[] = [];
    const moved: string[] = [];
    let short = 0;
    message.parts.forEach((part, partIndex) => {
      if (part.length > limit) {
        const key = message.parts.length === 1 ? `message_${index}` : `message_${index}_part_${partIndex}`;
        context[key] = part;
        moved.push(key);
        pieces.push(`[long text of ${part.length.toLocaleString('en-US')} characters: see context["${key}"]]`);
      } else if (part.length > 0) {
        short++;
        pieces.push(part);
      }
    });
    return { text: pieces.join('\n'), allMoved: short === 0 && moved.length > 0, moved };
  };

  const instructions: string[] = [];
  const history: string[] = [];
  const transcript: string[] = [];
  let historyMessages = 0;
  messages.forEach((message, index) => {
    if (index === lastUser) return;
    const { text } = render(message, index);
    if (text.length === 0) return;
    transcript.push(`${label(message)}: ${text}`);
    if (message.role === 'system' || message.role === 'developer') instructions.push(text);
    else {
      history.push(`${label(message)}: ${text}`);
      historyMessages++;
    }
  });

  const last = messages[lastUser]!;
  const rendered = render(last, lastUser);
  let request = rendered.text;
  if (request.trim().length === 0) {
    throw invalidRequest(`messages[${lastUser}] (the last user message) is empty: it must hold the question.`, `messages[${lastUser}].content`);
  }
  if (rendered.allMoved) {
    const [key] = rendered.moved;
    const text = context[key!]!;
    request =
      `The user's message is long, so it is stored in context["${key}"] (${text.length.toLocaleString('en-US')} characters); do what it asks.\n` +
      `It begins:\n${text.slice(0, PREVIEW_CHARS)}\n…\nIt ends:\n${text.slice(-PREVIEW_CHARS)}` +
      (rendered.moved.length > 1 ? `\nThe message continues in ${rendered.moved.slice(1).map((k) => `context["${k}"]`).join(', ')}.` : '');
  }
  transcript.push(`${label(last)}: ${rendered.text}`);

  const sections: string[] = [];
  const instructionText = instructions.join('\n\n');
  if (instructionText.length > limit) {
    context.instructions = instructionText;
    sections.push(`The system instructions (${instructionText.length.toLocaleString('en-US')} characters) are in context["instructions"]: read and follow them.`);
  } else if (instructionText.length > 0) sections.push(`System instructions (follow them when answering):\n${instructionText}`);
  const historyText = history.join('\n\n');
  if (historyText.length > limit) {
    context.conversation = historyText;
    sections.push(
      `The earlier conversation (${historyMessages} messages, ${historyText.length.toLocaleString('en-US')} characters) is in context["conversation"].`,
    );
  } else if (historyText.length > 0) sections.push(`Earlier conversation:\n${historyText}`);
  sections.push(sections.length === 0 ? request : `Current user message:\n${request}`);

  if (Object.keys(context).length === 0) context.conversation = transcript.join('\n\n');
  return { question: sections.join('\n\n'), context };
}
