import { validate, type OutputUnit } from '@cfworker/json-schema';
import { EvaluationBudgetExceeded, compileJsonSchema, evaluationBudget, type CompiledSchema, type SchemaCopy } from './json-schema-compile.js';
import { formatIssues } from './json-schema-issues.js';

export type { JsonSchema, JsonSchemaLimits } from './json-schema-types.js';
import type { JsonSchema, JsonSchemaLimits } from './json-schema-types.js';

/** Options of {@link validateJsonSchema}. */
export interface JsonSchemaValidationOptions {
  /** Tighter or looser bounds than the defaults. */
  readonly limits?: Partial<JsonSchemaLimits>;
}

const DEFAULT_LIMITS: JsonSchemaLimits = {
  maxBytes: 1024 * 1024,
  maxDepth: 64,
  maxSubschemas: 10_000,
  maxEvaluations: 1_000_000,
  maxUniqueItems: 10_000,
};

/** Evaluations a second, complete pass (every issue, not only the first) may use. */
const FULL_REPORT_EVALUATIONS = 100_000;

/** Values and object keys in `value`, counted up to `stopAbove` (iterative: deep values cannot overflow the stack). */
function countValues(value: unknown, stopAbove: number): { readonly count: number; readonly longestArray: number } {
  let count = 0;
  let longestArray = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0 && count <= stopAbove) {
    const item = stack.pop();
    count++;
    if (typeof item !== 'object' || item === null) continue;
    if (Array.isArray(item)) {
      longestArray = Math.max(longestArray, item.length);
      for (const child of item) stack.push(child);
    } else {
      const children = Object.values(item);
      count += children.length;
      for (const child of children) stack.push(child);
    }
  }
  return { count, longestArray };
}

type RunOutcome = { readonly valid: boolean; readonly errors: readonly OutputUnit[]; readonly used: number } | 'over-budget' | 'too-deep';

/** One pass of the validator; with a finite `budget` on the counting copy. */
function run(copy: SchemaCopy, value: unknown, shortCircuit: boolean, budget: number): RunOutcome {
  evaluationBudget.left = budget;
  try {
    const result = validate(value, copy.root, copy.draft, copy.lookup, shortCircuit);
    return { valid: result.valid, errors: result.errors, used: budget - evaluationBudget.left };
  } catch (error) {
    if (error instanceof EvaluationBudgetExceeded) return 'over-budget';
    if (error instanceof RangeError) return 'too-deep';
    throw error;
  } finally {
    evaluationBudget.left = Number.POSITIVE_INFINITY;
  }
}

/**
 * Validates `value` against a JSON Schema with `@cfworker/json-schema` (the whole of drafts 2020-12,
 * 2019-09, 7 and 4: `$ref`/`$defs`, `pattern`, `format`, `uniqueItems`, `if`/`then`… plus OpenAPI's
 * `nullable`). Returns issues the model can act on, each `path: what failed` (`items[2].name: expected
 * string, got number`), at most 20; an empty list means valid. `path` prefixes every path.
 *
 * Bounded cost: schemas past `limits` (size, depth, subschemas) are refused; one validation makes at
 * most `maxEvaluations` evaluations (values whose check could need more are checked on a counting
 * copy of the schema, which stops with an issue saying the value is too large to check), and
 * `uniqueItems` is checked on arrays of at most `maxUniqueItems`. The one cost outside these bounds
 * is a single `pattern` match, so schemas from untrusted sources should be checked off the main
 * thread (as `rlms serve` does). A schema object is compiled once and reused: do not change it after
 * its first use.
 *
 * @throws {ConfigurationError} when the schema is over a limit (`code` `json-schema-too-large`,
 * `json-schema-too-deep`, `json-schema-too-complex`) or invalid (`invalid-json-schema`: a `$ref` to
 * nothing, a `pattern` that is not a regular expression).
 */
export function validateJsonSchema(schema: JsonSchema, value: unknown, path = '', options: JsonSchemaValidationOptions = {}): string[] {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const compiled = compileJsonSchema(schema, limits);
  const at = path === '' ? '' : `${path}: `;
  // Each subschema meets each value at most once, so `expandedSize × values` bounds the evaluations.
  // (`uniqueItems` needs the longest array, so then the whole value is counted.)
  const values = countValues(value, compiled.usesUniqueItems ? Number.POSITIVE_INFINITY : Math.ceil(limits.maxEvaluations / compiled.expandedSize));
  if (compiled.usesUniqueItems && values.longestArray > limits.maxUniqueItems) {
    return [
      `${at}has an array of ${values.longestArray.toLocaleString('en-US')} items, too long to check for unique items (at most ${limits.maxUniqueItems.toLocaleString('en-US')}); return fewer items`,
    ];
  }
  const bounded = compiled.expandedSize * values.count <= limits.maxEvaluations;
  let outcome: RunOutcome;
  try {
    outcome = bounded ? run(compiled, value, true, Number.POSITIVE_INFINITY) : run(compiled.counted(), value, true, limits.maxEvaluations);
  } catch (error) {
    return [`${at}cannot be checked: ${(error as Error).message} (answer with JSON values only)`];
  }
  if (outcome === 'over-budget') {
    return [`${at}is too large to check against the schema (more than ${limits.maxEvaluations.toLocaleString('en-US')} checks); return a smaller value`];
  }
  if (outcome === 'too-deep') return [`${at}is nested too deeply to check; return a flatter value`];
  if (outcome.valid) return [];
  const errors = fullReport(compiled, value, outcome.errors, bounded ? compiled.expandedSize * values.count : undefined, outcome.used);
  return formatIssues(errors, value, compiled, path);
}

/**
 * A second pass that does not stop at the first failure, so the model sees every issue at once,
 * when it is cheap: when the bound says so (on the fast copy), or when the first pass was cheap (on
 * the counting copy, which stops it past {@link FULL_REPORT_EVALUATIONS}).
 */
function fullReport(compiled: CompiledSchema, value: unknown, first: readonly OutputUnit[], bound: number | undefined, firstUsed: number): readonly OutputUnit[] {
  let full: RunOutcome;
  if (bound !== undefined && bound <= FULL_REPORT_EVALUATIONS) full = run(compiled, value, false, Number.POSITIVE_INFINITY);
  else if (bound === undefined && firstUsed <= FULL_REPORT_EVALUATIONS) full = run(compiled.counted(), value, false, FULL_REPORT_EVALUATIONS);
  else return first;
  return typeof full === 'object' && !full.valid ? full.errors : first;
}

/** Fails fast on a schema over the default limits or invalid (see {@link validateJsonSchema}). */
export function assertUsableJsonSchema(schema: JsonSchema, limits: Partial<JsonSchemaLimits> = {}): void {
  compileJsonSchema(schema, { ...DEFAULT_LIMITS, ...limits });
}
