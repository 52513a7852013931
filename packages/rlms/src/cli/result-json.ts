import type { QueryResult } from '../recursive-language-model-settings.js';

/**
 * The result as a JSON-ready object: errors as `{ name, message, code }`, and the trajectory's
 * context value left out unless `includeContext` (its metadata stays).
 */
export function resultToJson(result: QueryResult, includeContext: boolean): Record<string, unknown> {
  const { error, trajectory, ...rest } = result;
  const context = includeContext ? trajectory.context : { metadata: trajectory.context.metadata };
  return {
    ...rest,
    ...(error === undefined ? {} : { error: { name: error.name, message: error.message, ...((error as { code?: unknown }).code === undefined ? {} : { code: (error as { code?: unknown }).code }) } }),
    trajectory: { ...trajectory, context },
  };
}
