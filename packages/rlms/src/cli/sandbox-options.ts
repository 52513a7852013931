import { readFileSync } from 'node:fs';
import { isPythonIdentifier } from '@rlms/core/sandbox';
import type { SandboxName } from '../sandbox-spec.js';
import { UsageError } from './usage-error.js';

/** The environment variable holding sandbox settings as a JSON object (the flags override it). */
export const SANDBOX_OPTIONS_ENV = 'RLMS_SANDBOX_OPTIONS';

/**
 * The settings of each sandbox's factory that the command line may set (plain JSON values; secrets
 * such as API keys stay in their environment variables). Each factory then validates the values.
 */
export const SANDBOX_OPTION_NAMES: Readonly<Record<SandboxName, readonly string[]>> = {
  pyodide: ['memoryLimitMiB', 'jsHeapLimitMiB', 'warmPoolSize', 'memorySnapshot', 'interruptGraceMs', 'transferContextBytes'],
  local: ['pythonPath', 'cwd', 'startupTimeoutMs', 'interruptGraceMs'],
  docker: ['image', 'memoryMiB', 'cpus', 'pidsLimit', 'pythonPath', 'user', 'labels', 'pull', 'reuse', 'interruptGraceMs', 'startTimeoutMs', 'reapStaleContainers'],
  e2b: ['template', 'timeoutMs', 'allowInternetAccess', 'metadata'],
  modal: ['app', 'image', 'cpu', 'memoryMiB', 'timeoutMs', 'blockNetwork', 'tags', 'environment'],
  daytona: ['apiUrl', 'target', 'snapshot', 'image', 'cpu', 'memoryGiB', 'timeoutMs', 'networkBlockAll', 'labels'],
};

/** Keys that must never reach a settings object (prototype pollution). */
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** A flag value: JSON when it parses (numbers, booleans, objects, quoted strings), else the text itself. */
function parseValue(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function checkKey(key: string, where: string, command: string): void {
  if (!isPythonIdentifier(key) || FORBIDDEN.has(key)) {
    throw new UsageError(`${where}: "${key}" is not a sandbox setting name (letters, digits and _; e.g. memoryLimitMiB).`, command);
  }
}

function objectFrom(text: string, where: string, command: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}.`, command);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new UsageError(`${where} must hold a JSON object of sandbox settings, e.g. {"memoryLimitMiB": 1024}.`, command);
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    checkKey(key, where, command);
    out[key] = value;
  }
  return out;
}

/**
 * The sandbox settings of the command line, lowest precedence first: `RLMS_SANDBOX_OPTIONS` (a JSON
 * object), `--sandbox-config FILE` (a JSON object), then each `--sandbox-option KEY=VALUE` (VALUE
 * parsed as JSON when it can be, so `memoryLimitMiB=1024` is a number and `image=my/python:3.12` a
 * string). Undefined when none is given. Throws `UsageError` for a malformed one; the sandbox's
 * factory then checks the names and values it knows (a `ConfigurationError` naming the setting).
 */
export function sandboxOptionsFrom(
  values: { readonly 'sandbox-option'?: unknown; readonly 'sandbox-config'?: unknown },
  env: Readonly<Record<string, string | undefined>>,
  command: string,
  sandbox: SandboxName,
): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  let given = false;
  const fromEnv = env[SANDBOX_OPTIONS_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    Object.assign(out, objectFrom(fromEnv, `the ${SANDBOX_OPTIONS_ENV} environment variable`, command));
    given = true;
  }
  const file = values['sandbox-config'];
  if (typeof file === 'string') {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (error) {
      throw new UsageError(`--sandbox-config ${file} cannot be read: ${(error as Error).message}.`, command);
    }
    Object.assign(out, objectFrom(text, `--sandbox-config ${file}`, command));
    given = true;
  }
  const options = values['sandbox-option'];
  for (const option of Array.isArray(options) ? options : options === undefined ? [] : [options]) {
    const text = String(option);
    const equals = text.indexOf('=');
    if (equals <= 0) throw new UsageError(`--sandbox-option takes KEY=VALUE (e.g. --sandbox-option memoryLimitMiB=1024); got "${text}".`, command);
    const key = text.slice(0, equals);
    checkKey(key, '--sandbox-option', command);
    out[key] = parseValue(text.slice(equals + 1));
    given = true;
  }
  const known = SANDBOX_OPTION_NAMES[sandbox];
  const unknown = Object.keys(out).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new UsageError(`The ${sandbox} sandbox has no setting ${unknown.map((key) => `"${key}"`).join(', ')}: use ${known.join(', ')}.`, command);
  }
  return given ? out : undefined;
}
