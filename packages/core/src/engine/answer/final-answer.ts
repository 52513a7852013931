import type { ExecutionResult } from '../../spec/sandbox-provider-v1.js';
import { formatExecution } from './format-observation.js';
import { findTextFinal, type TextFinal } from './text-final.js';
import { isPythonIdentifier } from '../../protocol/python-identifier.js';

/** Runs one cell in the run's REPL (see `RunRepl.execute`). */
export type CellRunner = (code: string) => Promise<{ result?: ExecutionResult; restartNote?: string }>;

/** What a text final came to: an answer (with a note saying how it was read), or feedback for the model. */
export type TextFinalResolution =
  | { readonly kind: 'final'; readonly text: string; readonly value: unknown; readonly note?: string }
  | { readonly kind: 'feedback'; readonly feedback: string };

const FINAL_LINE = /^[ \t*_]*FINAL(?:_VAR)?\(/;

/** How a text final reads in messages to the model. */
export function describeTextFinal(final: TextFinal): string {
  const shown = final.kind === 'FINAL_VAR' ? final.name : final.value.length > 60 ? `${final.value.slice(0, 60)}…` : final.value;
  return `${final.kind}(${shown})`;
}

/**
 * Reads a text final against the REPL. `FINAL_VAR(name)` takes the variable's value (feedback with the
 * `NameError` when there is none). `FINAL(name)` whose argument is a bare identifier naming a REPL
 * variable answers with the variable's value, not its name, and says so in `note`; any other
 * `FINAL(text)` answers with the text.
 */
export async function resolveTextFinal(final: TextFinal, execute: CellRunner, maxOutputChars: number): Promise<TextFinalResolution> {
  if (final.kind === 'FINAL_VAR') {
    const { result, restartNote } = await execute(`FINAL_VAR(${JSON.stringify(final.name)})`);
    if (result?.final !== undefined) return { kind: 'final', text: result.final.text, value: result.final.value };
    const why = restartNote ?? (result === undefined ? 'The REPL is not available.' : formatExecution(result, 0, 1, maxOutputChars));
    return { kind: 'feedback', feedback: why };
  }
  if (isPythonIdentifier(final.value)) {
    const { result } = await execute(`FINAL_VAR(${JSON.stringify(final.value)})`);
    if (result?.final !== undefined && result.final.variableName === final.value) {
      return {
        kind: 'final',
        text: result.final.text,
        value: result.final.value,
        note: `FINAL(${final.value}): \`${final.value}\` is a variable in the REPL, so the answer is its value, not its name.`,
      };
    }
  }
  return { kind: 'final', text: final.value, value: undefined };
}

/**
 * A `FINAL(...)` line of a code block that failed because that line does not compile or call
 * (`FINAL(Sansa Stark)`: `SyntaxError`; `FINAL([0, 1, 3], 26.5)`: `TypeError`; `FINAL(Sansa)`:
 * `NameError`), read with the text rule. `rest` is the block without its FINAL lines when the
 * `SyntaxError` kept the whole block from running (run it before accepting the answer).
 */
export function finalOfFailedBlock(code: string, result: ExecutionResult): { final: TextFinal; rest?: string } | undefined {
  const error = result.error;
  if (error === undefined || result.timedOut === true || result.final !== undefined) return undefined;
  const lines = code.split('\n');
  const finalLines = lines.map((line, index) => (FINAL_LINE.test(line) ? index : -1)).filter((index) => index >= 0);
  if (finalLines.length === 0) return undefined;
  const lineOf = (index: number): TextFinal | undefined => {
    const final = findTextFinal(lines.slice(index).join('\n'));
    // `FINAL()` with nothing in it is a plain mistake, not an answer written as text.
    return final?.kind === 'FINAL' && final.value.length === 0 ? undefined : final;
  };
  if (error.type === 'SyntaxError') {
    const at = /line (\d+)/.exec(error.message);
    const where = at === null ? finalLines[0]! : Number(at[1]) - 1;
    if (!finalLines.includes(where)) return undefined;
    const final = lineOf(where);
    if (final === undefined) return undefined;
    const rest = lines.filter((_, index) => !finalLines.includes(index)).join('\n');
    return rest.trim().length === 0 ? { final } : { final, rest };
  }
  const failedInFinal =
    (error.type === 'TypeError' && /\bFINAL(?:_VAR)?\(\)/.test(error.message)) ||
    (error.type === 'NameError' && finalLines.some((index) => new RegExp(`\\b${nameInError(error.message)}\\b`).test(lines[index]!)));
  if (!failedInFinal) return undefined;
  const final = lineOf(finalLines.at(-1)!);
  return final === undefined ? undefined : { final };
}

function nameInError(message: string): string {
  const name = /name '([A-Za-z_][A-Za-z0-9_]*)' is not defined/.exec(message)?.[1];
  return name ?? '\u0000never';
}

/**
 * Reads a text final that came with code in the same response: accepted when it follows the code and
 * every block ran without error; otherwise feedback saying why it was not accepted (never dropped).
 *
 * @param failure the first block that failed ("code block 2 raised NameError"), when one did.
 */
export async function resolveFinalAfterCode(
  final: TextFinal & { readonly afterCode?: boolean },
  failure: string | undefined,
  execute: CellRunner,
  maxOutputChars: number,
): Promise<TextFinalResolution> {
  const shown = describeTextFinal(final);
  if (final.afterCode === false) {
    return {
      kind: 'feedback',
      feedback: `Your ${shown} line came before your code, so it was not accepted: finish after you have seen the output, with FINAL(...) / FINAL_VAR(...) after the code or in a \`\`\`repl block.`,
    };
  }
  if (failure !== undefined) {
    return {
      kind: 'feedback',
      feedback: `Your ${shown} line after the code was not accepted because ${failure}. Fix the code, then finish again.`,
    };
  }
  const resolved = await resolveTextFinal(final, execute, maxOutputChars);
  if (resolved.kind === 'final') return resolved;
  return { kind: 'feedback', feedback: `Your ${shown} line after the code was not accepted:\n${resolved.feedback}` };
}
