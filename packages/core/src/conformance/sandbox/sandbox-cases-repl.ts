import { expect } from 'vitest';
import type { SuiteHarness } from './sandbox-suite-harness.js';

/** REPL semantics: persistence, output, exceptions, display, FINAL, SHOW_VARS. */
export function defineReplCases(h: SuiteHarness): void {
  h.defineCase('persistence', 'variables, functions and imports persist across executions', async () => {
    const { session } = await h.shared();
    await h.runOk(session, 'rlms_persist = 20\ndef rlms_double(v):\n    return v * 2\nimport math');
    const result = await h.runOk(session, 'print(rlms_double(rlms_persist) + 2, math.floor(2.5), __name__)');
    expect(result.stdout).toBe('42 2 __main__\n');
  });

  h.defineCase('stdout-stderr', 'captures stdout and stderr separately, per execution', async () => {
    const { session } = await h.shared();
    const result = await h.runOk(
      session,
      "import sys\nprint('to-out')\nprint('to-err', file=sys.stderr)\nrlms_n = sys.stdout.write('no-newline')",
    );
    expect(result.stdout).toBe('to-out\nno-newline');
    expect(result.stderr).toBe('to-err\n');
    expect(result.truncatedChars ?? 0).toBe(0);
    expect(typeof result.durationMs).toBe('number');
    const next = await h.runOk(session, 'rlms_quiet = 1');
    expect(next.stdout).toBe('');
    expect(next.stderr).toBe('');
  });

  h.defineCase('exceptions', 'exceptions and SyntaxError are results; the session lives on', async () => {
    const { session } = await h.shared();
    const division = await session.execute("print('before')\nrlms_kept = 7\n1 / 0");
    expect(division.stdout).toBe('before\n');
    expect(division.error?.type).toBe('ZeroDivisionError');
    expect(division.error?.message).toBe('division by zero');
    expect(division.error?.traceback).toContain('ZeroDivisionError');
    expect(division.error?.traceback).toContain('1 / 0');
    expect(division.error?.traceback).not.toContain('rlms_runtime');

    const nested = await session.execute(
      "def rlms_inner():\n    raise ValueError('bad value')\ndef rlms_outer():\n    rlms_inner()\nrlms_outer()",
    );
    expect(nested.error?.type).toBe('ValueError');
    expect(nested.error?.message).toBe('bad value');
    expect(nested.error?.traceback).toMatch(/rlms_outer[\s\S]*rlms_inner/);
    expect(nested.error?.traceback).not.toContain('rlms_runtime');

    const syntax = await session.execute('def broken(:\n    pass');
    expect(syntax.error?.type).toBe('SyntaxError');
    expect(syntax.error?.traceback).not.toContain('rlms_runtime');

    const exit = await session.execute('import sys\nsys.exit(3)');
    expect(exit.error?.type).toBe('SystemExit');

    const alive = await h.runOk(session, "print('alive', rlms_kept)");
    expect(alive.stdout).toBe('alive 7\n');
  });

  h.defineCase('last-expression', "displays the last expression's repr when it is not None", async () => {
    const { session } = await h.shared();
    expect((await h.runOk(session, '1 + 1')).stdout).toBe('2\n');
    expect((await h.runOk(session, "'text'")).stdout).toBe("'text'\n");
    expect((await h.runOk(session, 'None')).stdout).toBe('');
    expect((await h.runOk(session, 'rlms_le = 3')).stdout).toBe('');
    expect((await h.runOk(session, "print('p')\n[rlms_le, rlms_le * 2]")).stdout).toBe('p\n[3, 6]\n');
    expect((await h.runOk(session, '7\n8')).stdout).toBe('8\n');
    expect((await h.runOk(session, "print('only print')")).stdout).toBe('only print\n');
  });

  h.defineCase('final', 'FINAL(value) returns JSON values and their text; not sticky', async () => {
    const { session } = await h.shared();
    const result = await h.runOk(session, "FINAL({'answer': 42, 'items': [1, 'two'], 'ok': True})\nprint('still runs')");
    expect(result.stdout).toBe('still runs\n');
    expect(result.final?.value).toEqual({ answer: 42, items: [1, 'two'], ok: true });
    expect(result.final?.text).toBe("{'answer': 42, 'items': [1, 'two'], 'ok': True}");
    expect(result.final?.variableName).toBeUndefined();

    const text = await h.runOk(session, "FINAL('plain answer')");
    expect(text.final).toEqual({ value: 'plain answer', text: 'plain answer' });

    const notJson = await h.runOk(session, 'FINAL({3, 1, 2})');
    expect(notJson.final?.value).toBe('{1, 2, 3}');
    expect(notJson.final?.text).toBe('{1, 2, 3}');

    const none = await h.runOk(session, 'rlms_after_final = 1');
    expect(none.final).toBeUndefined();
  });

  h.defineCase('final-var', 'FINAL_VAR(name) returns the variable and its name', async () => {
    const { session } = await h.shared();
    const result = await h.runOk(session, "rlms_answer = 'forty-two'\nFINAL_VAR('rlms_answer')");
    expect(result.final).toEqual({ value: 'forty-two', text: 'forty-two', variableName: 'rlms_answer' });
    const later = await h.runOk(session, "rlms_numbers = [1, 2]\nFINAL_VAR('rlms_numbers')");
    expect(later.final).toEqual({ value: [1, 2], text: '[1, 2]', variableName: 'rlms_numbers' });
  });

  h.defineCase('final-var-undefined', 'FINAL_VAR of an undefined name raises NameError and records nothing', async () => {
    const { session } = await h.shared();
    const result = await session.execute("FINAL_VAR('rlms_never_defined')");
    expect(result.error?.type).toBe('NameError');
    expect(result.error?.message).toContain('rlms_never_defined');
    expect(result.final).toBeUndefined();
  });

  h.defineCase('show-vars', 'SHOW_VARS lists user variables with types, hiding the API and modules', async () => {
    const { session } = await h.shared();
    const result = await h.runOk(session, 'import json as rlms_json_module\nrlms_show_list = [1, 2, 3]\nSHOW_VARS()');
    expect(result.stdout).toContain('rlms_show_list');
    expect(result.stdout).toMatch(/rlms_show_list\W+list/);
    expect(result.stdout).not.toContain('rlms_json_module');
    expect(result.stdout).not.toContain('llm_query');
    expect(result.stdout).not.toContain('FINAL');
  });
}
