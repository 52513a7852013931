import { ConfigurationError, validateJsonSchema, type JsonSchema, type StandardSchemaLike } from '@rlms/core';
import { HttpError } from './openai-error.js';
import type { ResolvedServerSettings } from './rlm-server-settings.js';
import type { SchemaValidationPool } from './schema-validation-pool.js';

const PARAM = 'response_format.json_schema.schema';

/** Evaluations the up-front check may spend on the main thread (it validates `null`, only to compile the schema). */
const COMPILE_CHECK_EVALUATIONS = 10_000;

/** The server flag (and setting) that raises each core limit, by `ConfigurationError` code. */
const LIMITS: Readonly<Record<string, { readonly code: string; readonly hint: string }>> = {
  'json-schema-too-large': { code: 'schema_too_large', hint: '--max-schema-size (maxSchemaBytes)' },
  'json-schema-too-deep': { code: 'schema_too_deep', hint: '--max-schema-depth (maxSchemaDepth)' },
  'json-schema-too-complex': { code: 'schema_too_complex', hint: '--max-schema-subschemas (maxSchemaSubschemas)' },
};

/** The limits a client's schema is held to, as `validateJsonSchema` takes them. */
export function clientSchemaLimits(settings: ResolvedServerSettings): Readonly<Record<string, number>> {
  return { maxBytes: settings.maxSchemaBytes, maxDepth: settings.maxSchemaDepth, maxSubschemas: settings.maxSchemaSubschemas };
}

/**
 * Refuses a `response_format` schema over the server's size, depth or subschema limits, or one that
 * cannot be used (a `$ref` to nothing, a `pattern` that is not a regular expression), with a 400 that
 * names the limit and the flag raising it. Runs before a run slot is taken; its cost is linear in the
 * schema's size (already bounded by the body limit) plus a few thousand evaluations.
 */
export function checkClientSchema(schema: JsonSchema, settings: ResolvedServerSettings): void {
  try {
    validateJsonSchema(schema, null, '', { limits: { ...clientSchemaLimits(settings), maxEvaluations: COMPILE_CHECK_EVALUATIONS } });
  } catch (error) {
    if (!ConfigurationError.isInstance(error)) throw error;
    const limit = LIMITS[error.code];
    const message = `${PARAM}: ${error.message}${limit === undefined ? '' : ` This server's limit is set with ${limit.hint}.`}`;
    throw new HttpError(400, message, { type: 'invalid_request_error', code: limit?.code ?? 'invalid_schema', param: PARAM });
  }
}

/**
 * The client's schema as the RLM's answer schema: a Standard Schema whose `validate` runs in the
 * pool's workers (bounded in time and memory, stopped when `signal` aborts), and whose JSON Schema
 * (for the prompt and the REPL's `ANSWER_SCHEMA`) is the client's own.
 */
export function clientAnswerSchema(schema: JsonSchema, pool: SchemaValidationPool, signal: AbortSignal): StandardSchemaLike<unknown> {
  const jsonSchema = { input: () => schema, output: () => schema };
  return {
    '~standard': {
      version: 1,
      vendor: 'rlms-serve',
      validate: async (value: unknown) => {
        const issues = await pool.validate(schema, value, signal);
        return issues.length === 0 ? { value } : { issues: issues.map((message) => ({ message })) };
      },
      // Standard JSON Schema: what `toJsonSchema` reads to show the schema to the model.
      ...{ jsonSchema },
    },
  };
}
