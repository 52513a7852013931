import { isPythonIdentifier } from '../../protocol/python-identifier.js';

/** Python keywords (and soft keywords): not usable as names in model code. */
export const PYTHON_KEYWORDS: ReadonlySet<string> = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield', 'match', 'case', 'type',
]);

/** Python's builtins (functions, constants, exception classes): a tool with one of these names would replace it for all model code. */
export const PYTHON_BUILTINS: ReadonlySet<string> = new Set([
  'ArithmeticError', 'AssertionError', 'AttributeError', 'BaseException', 'BaseExceptionGroup', 'BlockingIOError',
  'BrokenPipeError', 'BufferError', 'BytesWarning', 'ChildProcessError', 'ConnectionAbortedError', 'ConnectionError',
  'ConnectionRefusedError', 'ConnectionResetError', 'DeprecationWarning', 'EOFError', 'Ellipsis', 'EncodingWarning',
  'EnvironmentError', 'Exception', 'ExceptionGroup', 'False', 'FileExistsError', 'FileNotFoundError',
  'FloatingPointError', 'FutureWarning', 'GeneratorExit', 'IOError', 'ImportError', 'ImportWarning',
  'IndentationError', 'IndexError', 'InterruptedError', 'IsADirectoryError', 'KeyError', 'KeyboardInterrupt',
  'LookupError', 'MemoryError', 'ModuleNotFoundError', 'NameError', 'None', 'NotADirectoryError', 'NotImplemented',
  'NotImplementedError', 'OSError', 'OverflowError', 'PendingDeprecationWarning', 'PermissionError',
  'ProcessLookupError', 'RecursionError', 'ReferenceError', 'ResourceWarning', 'RuntimeError', 'RuntimeWarning',
  'StopAsyncIteration', 'StopIteration', 'SyntaxError', 'SyntaxWarning', 'SystemError', 'SystemExit', 'TabError',
  'TimeoutError', 'True', 'TypeError', 'UnboundLocalError', 'UnicodeDecodeError', 'UnicodeEncodeError', 'UnicodeError',
  'UnicodeTranslateError', 'UnicodeWarning', 'UserWarning', 'ValueError', 'Warning', 'ZeroDivisionError', 'abs',
  'aiter', 'all', 'anext', 'any', 'ascii', 'bin', 'bool', 'breakpoint', 'bytearray', 'bytes', 'callable', 'chr',
  'classmethod', 'compile', 'complex', 'copyright', 'credits', 'delattr', 'dict', 'dir', 'divmod', 'enumerate', 'eval',
  'exec', 'exit', 'filter', 'float', 'format', 'frozenset', 'getattr', 'globals', 'hasattr', 'hash', 'help', 'hex',
  'id', 'input', 'int', 'isinstance', 'issubclass', 'iter', 'len', 'license', 'list', 'locals', 'map', 'max',
  'memoryview', 'min', 'next', 'object', 'oct', 'open', 'ord', 'pow', 'print', 'property', 'quit', 'range', 'repr',
  'reversed', 'round', 'set', 'setattr', 'slice', 'sorted', 'staticmethod', 'str', 'sum', 'super', 'tuple', 'type',
  'vars', 'zip',
]);

/** Names the rlms runtime and engine define in the REPL. */
export const RUNTIME_NAMES: ReadonlySet<string> = new Set([
  'context', 'context_0', 'llm_query', 'llm_query_batched', 'rlm_query', 'rlm_query_batched', 'FINAL', 'FINAL_VAR', 'SHOW_VARS',
  'history', 'ANSWER_SCHEMA',
]);

/**
 * Why `name` cannot name a host tool, or undefined when it can: not an identifier, a Python keyword,
 * a builtin (it would replace `print`, `len`, `open`… for all model code), or a name the runtime
 * defines (`history`, `context_1`…).
 */
export function reservedNameReason(name: string): string | undefined {
  if (PYTHON_KEYWORDS.has(name)) return 'it is a Python keyword';
  if (!isPythonIdentifier(name)) return 'it is not a Python identifier (letters, digits and _, not starting with a digit)';
  if (name.startsWith('__')) return 'names starting with __ are reserved';
  if (PYTHON_BUILTINS.has(name)) return 'it is a Python builtin, which the tool would replace for all model code';
  if (RUNTIME_NAMES.has(name) || /^context_\d+$/.test(name)) return 'the REPL already defines it (rlms API, context or history)';
  return undefined;
}
