import { dereference, type Schema, type SchemaDraft } from '@cfworker/json-schema';
import { ConfigurationError } from '../../errors/errors.js';
import type { JsonSchema, JsonSchemaLimits } from './json-schema-types.js';

const SCHEMA_KEYWORDS = new Set(['additionalItems', 'unevaluatedItems', 'items', 'contains', 'additionalProperties', 'unevaluatedProperties', 'propertyNames', 'not', 'if', 'then', 'else']);
const SCHEMA_ARRAY_KEYWORDS = new Set(['prefixItems', 'items', 'allOf', 'anyOf', 'oneOf']);
const SCHEMA_MAP_KEYWORDS = new Set(['$defs', 'definitions', 'properties', 'patternProperties', 'dependentSchemas', 'dependencies']);
/** Map keywords whose entries are only reached through `$ref`. */
const DEFINITION_KEYWORDS = new Set(['$defs', 'definitions']);
/** Keywords whose values are data, never schemas. */
const VALUE_KEYWORDS = new Set(['const', 'enum', 'default', 'examples', 'required', 'type', 'dependentRequired', '$vocabulary']);

/** A private copy of a schema, indexed for `$ref`, ready for `@cfworker/json-schema`'s `validate`. */
export interface SchemaCopy {
  readonly root: Schema;
  readonly lookup: Record<string, Schema | boolean>;
  readonly draft: SchemaDraft;
}

/** What compiling measured, and the copies validation runs on. */
export interface CompiledSchema extends SchemaCopy {
  readonly bytes: number;
  readonly depth: number;
  readonly subschemas: number;
  readonly usesUniqueItems: boolean;
  /**
   * Subschemas one value can be checked against with every `$ref` followed (shared definitions
   * counted at each use), saturating at {@link EXPANDED_CAP}, which recursive schemas reach.
   */
  readonly expandedSize: number;
  /** A second copy whose every evaluation counts against {@link evaluationBudget} (built on first use). */
  counted(): SchemaCopy;
}

/** Where {@link CompiledSchema.expandedSize} saturates. */
const EXPANDED_CAP = 1_000_000_000;

/** Evaluations the counted validation in progress may still make (validation is synchronous: one at a time). */
export const evaluationBudget = { left: Number.POSITIVE_INFINITY };

/** Thrown out of the validator when the budget is spent. */
export class EvaluationBudgetExceeded extends Error {}

function limitError(code: string, message: string): ConfigurationError {
  return new ConfigurationError(message, { code });
}

function errorsFor(limits: JsonSchemaLimits) {
  return {
    bytes: () =>
      limitError(
        'json-schema-too-large',
        `The JSON Schema is too large: more than ${limits.maxBytes.toLocaleString('en-US')} bytes (limit maxBytes). Shorten descriptions and enums, or ask for a smaller answer shape.`,
      ),
    depth: () =>
      limitError(
        'json-schema-too-deep',
        `The JSON Schema is nested too deeply: more than ${limits.maxDepth} levels of subschemas (limit maxDepth). Flatten it, or describe recursive shapes with $defs and $ref.`,
      ),
    subschemas: () =>
      limitError(
        'json-schema-too-complex',
        `The JSON Schema is too complex: more than ${limits.maxSubschemas.toLocaleString('en-US')} subschemas (limit maxSubschemas; every property, items, anyOf/oneOf/allOf option and $defs entry counts). Simplify it, e.g. an enum instead of many anyOf options.`,
      ),
  };
}

/** Compiled copies by the caller's schema object (schemas are treated as immutable once used). */
const compiledSchemas = new WeakMap<object, CompiledSchema>();

/**
 * Compiles `schema` (cached by object), refusing it with a `ConfigurationError` past `limits` or
 * when it cannot be used (a `$ref` to nothing, a `pattern` that is not a regular expression).
 */
export function compileJsonSchema(schema: JsonSchema, limits: JsonSchemaLimits): CompiledSchema {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new ConfigurationError(`A JSON Schema must be an object like {"type": "object", ...}; got ${Array.isArray(schema) ? 'an array' : typeof schema}.`, {
      code: 'invalid-json-schema',
    });
  }
  const errors = errorsFor(limits);
  const cached = compiledSchemas.get(schema);
  if (cached !== undefined) {
    if (cached.bytes > limits.maxBytes) throw errors.bytes();
    if (cached.depth > limits.maxDepth) throw errors.depth();
    if (cached.subschemas > limits.maxSubschemas) throw errors.subschemas();
    return cached;
  }
  const plain = copySchema(schema, limits, false);
  const copy = index(plain.root, plain.nodes);
  let counted: SchemaCopy | undefined;
  const compiled: CompiledSchema = {
    ...copy,
    bytes: plain.bytes,
    depth: plain.depth,
    subschemas: plain.subschemas,
    usesUniqueItems: plain.usesUniqueItems,
    expandedSize: expandedSize(copy),
    counted: () => {
      if (counted === undefined) {
        const instrumented = copySchema(schema, limits, true);
        counted = index(instrumented.root, instrumented.nodes);
      }
      return counted;
    },
  };
  compiledSchemas.set(schema, compiled);
  return compiled;
}

interface CopyResult {
  readonly root: Schema;
  readonly nodes: ReadonlyArray<Record<string, unknown>>;
  readonly bytes: number;
  readonly depth: number;
  readonly subschemas: number;
  readonly usesUniqueItems: boolean;
}

/** Copies the caller's schema, measuring it against `limits` and normalising it; `instrument` makes each evaluation count. */
function copySchema(schema: JsonSchema, limits: JsonSchemaLimits, instrument: boolean): CopyResult {
  const errors = errorsFor(limits);
  let bytes = 0;
  let depthSeen = 0;
  let subschemas = 0;
  let usesUniqueItems = false;
  const nodes: Array<Record<string, unknown>> = [];
  const addBytes = (count: number) => {
    bytes += count;
    if (bytes > limits.maxBytes) throw errors.bytes();
  };
  const skipped = (item: unknown) => item === undefined || typeof item === 'function' || typeof item === 'symbol';

  const copyValue = (value: unknown, depth: number): unknown => {
    if (depth > limits.maxDepth + 64) throw errors.depth();
    if (typeof value === 'string') {
      addBytes(value.length + 2);
      return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean' || value === null) {
      addBytes(String(value).length);
      return value;
    }
    if (Array.isArray(value)) {
      addBytes(2 + value.length);
      return value.map((item) => copyValue(item, depth + 1));
    }
    if (typeof value !== 'object') return undefined;
    const copy: Record<string, unknown> = {};
    addBytes(2);
    for (const [key, item] of Object.entries(value)) {
      if (skipped(item)) continue;
      addBytes(key.length + 4);
      copy[key] = copyValue(item, depth + 1);
    }
    return copy;
  };

  const copyNode = (value: unknown, depth: number, where: string): unknown => {
    if (typeof value === 'boolean') {
      addBytes(5);
      return value;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return copyValue(value, depth);
    if (depth > limits.maxDepth) throw errors.depth();
    depthSeen = Math.max(depthSeen, depth);
    if (++subschemas > limits.maxSubschemas) throw errors.subschemas();
    addBytes(2);
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (skipped(item)) continue;
      addBytes(key.length + 4);
      const at = `${where}/${key}`;
      const isMap = typeof item === 'object' && item !== null && !Array.isArray(item);
      if (VALUE_KEYWORDS.has(key)) copy[key] = copyValue(item, depth + 1);
      else if (SCHEMA_ARRAY_KEYWORDS.has(key) && Array.isArray(item)) copy[key] = item.map((part, position) => copyNode(part, depth + 1, `${at}/${position}`));
      else if (SCHEMA_KEYWORDS.has(key)) copy[key] = copyNode(item, depth + 1, at);
      else if (SCHEMA_MAP_KEYWORDS.has(key) && isMap) {
        const map: Record<string, unknown> = {};
        for (const [name, part] of Object.entries(item)) {
          addBytes(name.length + 4);
          if (key === 'patternProperties') checkPattern(name, `${at}/${name}`);
          map[name] = copyNode(part, depth + 1, `${at}/${name}`);
        }
        copy[key] = map;
      } else if (isMap) copy[key] = copyNode(item, depth + 1, at);
      else copy[key] = copyValue(item, depth + 1);
    }
    if (typeof copy.pattern === 'string') checkPattern(copy.pattern, `${where}/pattern`);
    if (copy.uniqueItems === true) usesUniqueItems = true;
    normalize(copy);
    if (instrument) countEvaluations(copy);
    nodes.push(copy);
    return copy;
  };

  const root = copyNode(schema, 0, '#') as Schema;
  return { root, nodes, bytes, depth: depthSeen, subschemas, usesUniqueItems };
}

/** Indexes a copy for `$ref` and checks that every reference resolves. */
function index(root: Schema, nodes: ReadonlyArray<Record<string, unknown>>): SchemaCopy {
  let lookup: Record<string, Schema | boolean>;
  try {
    lookup = dereference(root);
  } catch (error) {
    throw new ConfigurationError(`The JSON Schema is invalid: ${(error as Error).message}`, { code: 'invalid-json-schema', cause: error });
  }
  for (const node of nodes) {
    for (const [keyword, target] of [
      ['$ref', node.__absolute_ref__],
      ['$recursiveRef', node.__absolute_recursive_ref__],
    ] as const) {
      if (typeof target === 'string' && lookup[target] === undefined) {
        throw new ConfigurationError(
          `The JSON Schema's ${keyword} ${JSON.stringify(node[keyword])} points at nothing: only references inside the schema (such as "#/$defs/name") are supported; define the target under $defs.`,
          { code: 'invalid-json-schema' },
        );
      }
    }
  }
  return { root, lookup, draft: draftOf(root.$schema) };
}

/** Throws a `ConfigurationError` for a `pattern` JavaScript cannot compile (with the `u` flag, as validation does). */
function checkPattern(pattern: string, where: string): void {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    throw new ConfigurationError(`The JSON Schema's pattern ${JSON.stringify(pattern)} at ${where} is not a valid regular expression: ${(error as Error).message}.`, {
      code: 'invalid-json-schema',
    });
  }
}

/** OpenAPI's `nullable: true` (accepted by the earlier validator) as JSON Schema; `format: "url"` without its backtracking regex. */
function normalize(node: Record<string, unknown>): void {
  if (node.nullable === true) {
    if (typeof node.type === 'string' && node.type !== 'null') node.type = [node.type, 'null'];
    else if (Array.isArray(node.type) && !node.type.includes('null')) node.type = [...node.type, 'null'];
    if (Array.isArray(node.enum) && !node.enum.includes(null)) node.enum = [...node.enum, null];
  }
  // The validator's own "url" regex backtracks exponentially on hostile strings: check it as an
  // http(s)/ftp URI instead (the same for real URLs, linear time).
  if (node.format === 'url') {
    node.format = 'uri';
    const scheme = { pattern: '^(?:[Hh][Tt][Tt][Pp][Ss]?|[Ff][Tt][Pp])://' };
    if (node.pattern === undefined) node.pattern = scheme.pattern;
    else node.allOf = [...(Array.isArray(node.allOf) ? node.allOf : []), scheme];
  }
}

/**
 * Makes each evaluation of `node` count against the budget: the validator reads `$recursiveAnchor`
 * once each time it applies a schema object to a value, so an accessor there counts evaluations.
 * (Accessors slow that read down a few times, so only the copy used for large inputs has them.)
 */
function countEvaluations(node: Record<string, unknown>): void {
  const own = node.$recursiveAnchor;
  Object.defineProperty(node, '$recursiveAnchor', {
    enumerable: false,
    configurable: true,
    get() {
      if (--evaluationBudget.left < 0) throw new EvaluationBudgetExceeded();
      return own;
    },
  });
}

function draftOf(uri: unknown): SchemaDraft {
  if (typeof uri !== 'string') return '2020-12';
  if (uri.includes('draft-04')) return '4';
  if (uri.includes('draft-06') || uri.includes('draft-07')) return '7';
  if (uri.includes('2019-09')) return '2019-09';
  return '2020-12';
}

/**
 * How many subschemas one value can be checked against, `$ref`s followed (shared definitions
 * counted at each use), saturating at {@link EXPANDED_CAP}; a `$ref` that leads back to itself
 * (a recursive schema, whose cost depends on the value's depth) saturates it.
 */
function expandedSize(copy: SchemaCopy): number {
  const cap = EXPANDED_CAP;
  const memo = new Map<object, number>();
  const active = new Set<object>();
  const size = (node: unknown, depth: number): number => {
    if (typeof node !== 'object' || node === null) return 1;
    const known = memo.get(node);
    if (known !== undefined) return known;
    if (active.has(node) || depth > 1_000) return cap;
    active.add(node);
    const schema = node as Record<string, unknown>;
    let total = 1;
    const add = (child: unknown) => {
      total = Math.min(cap, total + size(child, depth + 1));
    };
    for (const [key, value] of Object.entries(schema)) {
      if (VALUE_KEYWORDS.has(key) || DEFINITION_KEYWORDS.has(key)) continue;
      if (SCHEMA_ARRAY_KEYWORDS.has(key) && Array.isArray(value)) value.forEach(add);
      else if (SCHEMA_KEYWORDS.has(key)) add(value);
      else if (SCHEMA_MAP_KEYWORDS.has(key) && typeof value === 'object' && value !== null) Object.values(value).forEach(add);
    }
    const reference = (schema as Schema).__absolute_ref__ ?? (schema as Schema).__absolute_recursive_ref__;
    if (typeof reference === 'string') add(copy.lookup[reference]);
    active.delete(node);
    memo.set(node, total);
    return total;
  };
  return size(copy.root, 0);
}
