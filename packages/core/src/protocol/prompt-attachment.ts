const textDecoder = new TextDecoder('utf-8', { fatal: true });
/** Ops whose prompt travels as `payload.prompt`; the batched ones use `payload.prompts`. */
const SINGLE_PROMPT_OPS = new Set(['llm_query', 'rlm_query']);
const BATCH_PROMPT_OPS = new Set(['llm_query_batched', 'rlm_query_batched']);
const NEWLINE = 0x0a;

/**
 * Puts the prompts of a host call back into its payload (`payload.prompt` for `llm_query` /
 * `rlm_query`, `payload.prompts` for the batched ops) from the bytes they travelled as: the prompts'
 * UTF-8 one after the other, `promptBytes` giving each one's length.
 *
 * Everything comes from the sandbox and is checked before use: `promptBytes` must be a list of
 * non-negative safe integers that add up to exactly `bytes.length` (checked while summing, so huge
 * values cannot overflow), each prompt must be valid UTF-8, the op must take prompts (one for the
 * single ones), and the payload must not hold prompts of its own.
 *
 * @param fail builds the error thrown for a problem (a `ProtocolError` for frames, a `TypeError` for
 *   an embedded host call answered to model code).
 */
export function withPromptsFromBytes(
  op: string,
  payload: Readonly<Record<string, unknown>>,
  promptBytes: unknown,
  bytes: Uint8Array,
  fail: (problem: string) => Error,
): Record<string, unknown> {
  if (!Array.isArray(promptBytes)) throw fail('"promptBytes" must be a list of byte counts');
  let total = 0;
  for (const size of promptBytes) {
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) throw fail('"promptBytes" must be a list of byte counts');
    total += size;
    if (total > bytes.length) throw fail(`"promptBytes" add up to more than the ${bytes.length} bytes of prompts sent`);
  }
  if (total !== bytes.length) throw fail(`"promptBytes" add up to ${total} bytes but ${bytes.length} bytes of prompts were sent`);
  if ('prompt' in payload || 'prompts' in payload) throw fail('the prompts are both in "payload" and in the attachment');
  const single = SINGLE_PROMPT_OPS.has(op);
  if (!single && !BATCH_PROMPT_OPS.has(op)) throw fail(`"${op.slice(0, 40)}" takes no prompts`);
  if (single && promptBytes.length !== 1) throw fail(`${op} takes exactly one prompt, got ${promptBytes.length}`);
  const prompts: string[] = [];
  let at = 0;
  for (const size of promptBytes as number[]) {
    try {
      prompts.push(textDecoder.decode(bytes.subarray(at, at + size)));
    } catch {
      throw fail(`prompt ${prompts.length} is not valid UTF-8`);
    }
    at += size;
  }
  return single ? { ...payload, prompt: prompts[0] } : { ...payload, prompts };
}

/**
 * Reads the body of an embedded (Pyodide) host-call request: the JSON object `{"op", "payload",
 * "promptBytes"?}`, then, when `promptBytes` is there, a newline and the prompts' UTF-8 bytes (see
 * {@link withPromptsFromBytes}). A body without a newline is the whole JSON request of earlier
 * versions (`{"op", "payload"}` with the prompts inside).
 *
 * @throws the error `fail` builds (the body is not valid UTF-8 JSON, or its prompts do not add up).
 */
export function hostCallFromBody(body: Uint8Array, fail: (problem: string) => Error): { op: unknown; payload: unknown } {
  const newline = body.indexOf(NEWLINE);
  const head = newline === -1 ? body : body.subarray(0, newline);
  let header: unknown;
  try {
    header = JSON.parse(textDecoder.decode(head));
  } catch (error) {
    throw fail(`the request is not UTF-8 JSON (${(error as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('the request must be a JSON object');
  const { op, payload, promptBytes } = header as Record<string, unknown>;
  if (newline === -1 && promptBytes === undefined) return { op, payload };
  if (newline === -1) throw fail('"promptBytes" needs the prompts after a newline');
  if (promptBytes === undefined) throw fail('bytes follow the request but it has no "promptBytes"');
  if (typeof op !== 'string') throw fail('"op" must be a string');
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw fail('"payload" must be an object');
  return { op, payload: withPromptsFromBytes(op, payload as Record<string, unknown>, promptBytes, body.subarray(newline + 1), fail) };
}
