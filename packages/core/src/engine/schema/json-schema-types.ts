/** A JSON Schema object (draft 2020-12 by default; drafts 4, 7 and 2019-09 through `$schema`). */
export type JsonSchema = Readonly<Record<string, unknown>>;

/** Bounds on a schema and on the work of one validation. */
export interface JsonSchemaLimits {
  /** Largest schema, in bytes of its JSON text. Default 1 048 576 (1 MiB). */
  readonly maxBytes: number;
  /** Deepest nesting of subschemas. Default 64. */
  readonly maxDepth: number;
  /** Most subschemas: every property, `items`, `anyOf`/`oneOf`/`allOf` option and `$defs` entry counts. Default 10 000. */
  readonly maxSubschemas: number;
  /**
   * Most subschema evaluations one validation may make (one subschema applied to one value is one
   * evaluation; `anyOf` options, `$ref` targets and array items each count). Default 1 000 000, one
   * to two seconds at worst. Past it the value is reported as too large to check, whatever the
   * schema's shape.
   */
  readonly maxEvaluations: number;
  /** Longest array `uniqueItems` is checked on (the check compares every pair). Default 10 000. */
  readonly maxUniqueItems: number;
}
