import { ConfigurationError } from '../errors/index.js';

/** What every rlms name check accepts: ASCII letters, digits and `_`, not starting with a digit. */
const IDENTIFIER_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Python's hard keywords: they cannot name a variable or a function. Soft keywords (`match`,
 * `case`, `type`, `_`) are ordinary identifiers and are not listed.
 */
const HARD_KEYWORDS: ReadonlySet<string> = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal',
  'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

/** What a valid name looks like, for error messages. */
export const PYTHON_IDENTIFIER_RULE =
  'a Python identifier is ASCII letters, digits and _, does not start with a digit and is not a keyword such as "class" (e.g. "search_docs")';

/**
 * Whether `name` can name a Python variable or function as rlms defines them: a string of ASCII
 * letters, digits and `_` that does not start with a digit and is not a hard keyword (`class`,
 * `None`, `lambda`…). Non-ASCII identifiers, which Python would accept, are refused on purpose so
 * that names look the same on every side of the wire.
 *
 * @example
 * isPythonIdentifier('search_docs'); // true
 * isPythonIdentifier('2fast');       // false
 * isPythonIdentifier('class');       // false
 */
export function isPythonIdentifier(name: unknown): name is string {
  return typeof name === 'string' && IDENTIFIER_PATTERN.test(name) && !HARD_KEYWORDS.has(name);
}

/**
 * Throws unless `name` passes {@link isPythonIdentifier}.
 *
 * @param what what the name is for, shown in the message (e.g. `'Tool name'`, `'loadContext: variableName'`).
 * @param code the error's `code`; default `'invalid-identifier'`.
 * @throws ConfigurationError (`code` as given) naming the rejected value and the rule it breaks.
 *
 * @example
 * assertPythonIdentifier(options.variableName, 'loadContext: variableName');
 */
export function assertPythonIdentifier(name: unknown, what: string, code = 'invalid-identifier'): asserts name is string {
  if (isPythonIdentifier(name)) return;
  const type = name === null ? 'null' : typeof name;
  const shown = typeof name === 'string' ? JSON.stringify(name) : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
  throw new ConfigurationError(`${what} ${shown} is not a valid Python identifier: ${PYTHON_IDENTIFIER_RULE}.`, { code });
}
