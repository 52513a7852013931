import { assertUsableJsonSchema, validateJsonSchema, type JsonSchema } from './json-schema-validate.js';

/**
 * A Standard Schema (https://standardschema.dev): zod v4, valibot, arktype… Only the parts rlms
 * uses are typed here, so core needs no schema library.
 */
export interface StandardSchemaLike<Output = unknown> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) =>
      | { readonly value: Output; readonly issues?: undefined }
      | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> }> }
      | Promise<
          | { readonly value: Output; readonly issues?: undefined }
          | { readonly issues: ReadonlyArray<{ readonly message: string; readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> }> }
        >;
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined;
  };
}

/** The shape of an answer or of a tool's arguments: a Standard Schema (zod v4…) or a plain JSON Schema object. */
export type AnswerSchema<Output = unknown> = StandardSchemaLike<Output> | JsonSchema;

/** The validated type a schema produces (`z.infer` for zod); `unknown` for plain JSON Schemas. */
export type InferSchema<S> = S extends StandardSchemaLike<infer Output> ? Output : unknown;

/** Outcome of validating a value. */
export type SchemaCheck<T = unknown> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly string[] };

/** True for Standard Schemas (as opposed to plain JSON Schema objects). */
export function isStandardSchema(schema: unknown): schema is StandardSchemaLike {
  return typeof schema === 'object' && schema !== null && typeof (schema as StandardSchemaLike)['~standard']?.validate === 'function';
}

/**
 * The JSON Schema of a schema, for prompts and the REPL: the object itself for JSON Schemas; for
 * Standard Schemas that implement Standard JSON Schema (zod ≥ 4.2, arktype, valibot with its
 * converter) their own conversion; otherwise `undefined`.
 *
 * @throws {ConfigurationError} for a JSON Schema over the size/complexity limits or invalid (see
 * `validateJsonSchema`), so a run fails before its first model call rather than at its answer.
 */
export function toJsonSchema(schema: AnswerSchema): JsonSchema | undefined {
  if (!isStandardSchema(schema)) {
    assertUsableJsonSchema(schema);
    return schema;
  }
  const converter = (schema['~standard'] as { jsonSchema?: { input?: (options: { target: string }) => unknown } }).jsonSchema;
  if (typeof converter?.input !== 'function') return undefined;
  try {
    const json = converter.input({ target: 'draft-07' }) as Record<string, unknown>;
    const { $schema: _ignored, ...rest } = json;
    return rest;
  } catch {
    return undefined;
  }
}

function formatPath(path: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined): string {
  if (path === undefined || path.length === 0) return '';
  return path.map((part) => String(typeof part === 'object' ? part.key : part)).join('.') + ': ';
}

/**
 * Validates `value`; issues are short sentences prefixed with the path of the offending field.
 * JSON Schemas are checked by `validateJsonSchema` (bounded cost; throws `ConfigurationError` for a
 * schema over its limits); Standard Schemas by their own `validate`.
 */
export async function checkSchema<T>(schema: AnswerSchema<T>, value: unknown): Promise<SchemaCheck<T>> {
  if (isStandardSchema(schema)) {
    const result = await schema['~standard'].validate(value);
    if (result.issues === undefined) return { ok: true, value: (result as { value: T }).value };
    return { ok: false, issues: result.issues.map((issue) => `${formatPath(issue.path)}${issue.message}`) };
  }
  const issues = validateJsonSchema(schema, value);
  return issues.length === 0 ? { ok: true, value: value as T } : { ok: false, issues };
}
