import type { OutputUnit, Schema } from '@cfworker/json-schema';
import type { SchemaCopy } from './json-schema-compile.js';

const MAX_ISSUES = 20;
const MAX_ISSUE_CHARS = 300;

/** Keywords whose error only says "something below failed": dropped when the detail follows. */
const WRAPPERS = new Set(['$ref', '$recursiveRef', 'properties', 'patternProperties', 'additionalProperties', 'unevaluatedProperties', 'items', 'prefixItems', 'additionalItems', 'unevaluatedItems', 'allOf', 'dependentSchemas', 'dependencies', 'if', 'propertyNames', 'contains']);
/** Keywords whose sub-errors are alternatives: reported as one issue. */
const ALTERNATIVES = new Set(['anyOf', 'oneOf', 'not']);

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function decodeSegment(segment: string): string {
  let text = segment;
  try {
    text = decodeURIComponent(segment);
  } catch {
    // keep it as it is
  }
  return text.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The readable path of an instance location (`#/items/2/name` → `items[2].name`) and the value there. */
function locate(location: string, value: unknown, path: string): { readonly path: string; readonly value: unknown } {
  let shown = path;
  let current = value;
  for (const raw of location.replace(/^#\/?/, '').split('/')) {
    if (raw === '') continue;
    const segment = decodeSegment(raw);
    if (Array.isArray(current) && /^\d+$/.test(segment)) {
      shown = `${shown}[${segment}]`;
      current = current[Number(segment)];
    } else {
      shown = shown === '' ? segment : `${shown}.${segment}`;
      current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[segment] : undefined;
    }
  }
  return { path: shown, value: current };
}

/** The schema value at a keyword location, following `$ref`s as the validator did. */
function schemaAt(compiled: SchemaCopy, location: string): unknown {
  let node: unknown = compiled.root;
  for (const raw of location.replace(/^#\/?/, '').split('/')) {
    if (raw === '' || typeof node !== 'object' || node === null) continue;
    const segment = decodeSegment(raw);
    node = segment === '$ref' ? compiled.lookup[(node as Schema).__absolute_ref__ ?? ''] : (node as Record<string, unknown>)[segment];
  }
  return node;
}

function shorten(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

function describe(error: OutputUnit, actual: unknown, compiled: SchemaCopy): string {
  const message = error.error.replace(/\.$/, '');
  switch (error.keyword) {
    case 'type': {
      const expected = /Expected "(.*)"$/.exec(message)?.[1]?.split('", "') ?? [];
      return `expected ${expected.join(' or ')}, got ${typeOf(actual)}`;
    }
    case 'const':
      return `must be ${shorten(JSON.stringify(schemaAt(compiled, error.keywordLocation)) ?? 'the constant')}`;
    case 'enum': {
      const options = schemaAt(compiled, error.keywordLocation);
      return `must be one of ${Array.isArray(options) ? shorten(options.map((option) => JSON.stringify(option)).join(', '), 200) : 'the allowed values'}`;
    }
    case 'pattern': {
      const pattern = schemaAt(compiled, error.keywordLocation);
      return `must match the pattern ${typeof pattern === 'string' ? shorten(pattern) : '(see the schema)'}`;
    }
    case 'format':
      return `must be a valid ${/format "(.*)"/.exec(message)?.[1] ?? 'value'} (format)`;
    case 'uniqueItems':
      return `must not contain duplicates (${message.replace(/^Duplicate items at indexes (\d+) and (\d+)$/, 'items $1 and $2 are equal')})`;
    case 'anyOf':
      return 'does not match any of the allowed shapes (anyOf)';
    case 'oneOf':
      return `must match exactly one of the allowed shapes (oneOf); ${/\((\d+) matches\)/.exec(message)?.[1] ?? 'not one'} matched`;
    case 'not':
      return 'must not match the excluded shape (not)';
    case 'false':
      return 'is not allowed here';
    default:
      return message.replace(/^Instance /, '');
  }
}

/**
 * Turns the validator's output into issues the model can act on: `path: what failed` (`items[2].name:
 * expected string, got number`), without the "a subschema had errors" wrappers, one issue per failed
 * `anyOf`/`oneOf`/`not`, at most 20, each at most 300 characters.
 */
export function formatIssues(errors: readonly OutputUnit[], value: unknown, compiled: SchemaCopy, path: string): string[] {
  const issues: string[] = [];
  let skipBelow: string | undefined;
  for (let index = 0; index < errors.length; index++) {
    const error = errors[index]!;
    if (skipBelow !== undefined && error.keywordLocation.startsWith(`${skipBelow}/`)) continue;
    skipBelow = undefined;
    const next = errors[index + 1];
    if ((error.keyword === 'additionalProperties' || error.keyword === 'unevaluatedProperties') && next?.keyword === 'false') {
      const key = /^Property "(.*)" does not match/.exec(error.error)?.[1];
      const where = locate(error.instanceLocation, value, path).path;
      issues.push(`${key === undefined ? where : where === '' ? key : `${where}.${key}`}: is not allowed (the schema lists the allowed properties)`);
      index++;
      continue;
    }
    // `if` reports a failed `then`/`else` at its own location; the detail sits under the sibling keyword.
    const parent = error.keyword === 'if' ? error.keywordLocation.replace(/\/if$/, '') : error.keywordLocation;
    if (WRAPPERS.has(error.keyword) && next !== undefined && next.keywordLocation.startsWith(parent)) continue;
    if (ALTERNATIVES.has(error.keyword)) skipBelow = error.keywordLocation;
    const located = locate(error.instanceLocation, value, path);
    let where = located.path;
    let message: string;
    if (error.keyword === 'required') {
      const key = /property "(.*)"/.exec(error.error)?.[1] ?? '';
      where = where === '' ? key : `${where}.${key}`;
      message = 'is required';
    } else message = describe(error, located.value, compiled);
    issues.push(shorten(where === '' ? message : `${where}: ${message}`, MAX_ISSUE_CHARS));
  }
  const unique = [...new Set(issues)];
  if (unique.length <= MAX_ISSUES) return unique;
  return [...unique.slice(0, MAX_ISSUES), `…and ${unique.length - MAX_ISSUES} more issue(s)`];
}
