/** Deepest nesting of child runs accepted (`rlm_query` inside `rlm_query`…). */
export const MAX_TRAJECTORY_NESTING = 32;

const SUBCALL_OPS = new Set(['llm_query', 'llm_query_batched', 'rlm_query', 'rlm_query_batched', 'tool']);

type Check = (value: unknown, where: string) => string | undefined;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const string: Check = (value, where) => (typeof value === 'string' ? undefined : `${where} must be a string`);
const optionalString: Check = (value, where) => (value === undefined ? undefined : string(value, where));
const count: Check = (value, where) => (Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : `${where} must be a whole number ≥ 0`);
const optionalRecord: Check = (value, where) => (value === undefined || isRecord(value) ? undefined : `${where} must be an object`);

function checkSubcall(value: unknown, where: string, nesting: number): string | undefined {
  if (!isRecord(value)) return `${where} must be an object`;
  if (typeof value.op !== 'string' || !SUBCALL_OPS.has(value.op)) return `${where}.op must be one of ${[...SUBCALL_OPS].join(', ')}`;
  return (
    string(value.input, `${where}.input`) ??
    string(value.output, `${where}.output`) ??
    optionalString(value.error, `${where}.error`) ??
    (value.child === undefined ? undefined : checkRun(value.child, `${where}.child`, nesting + 1))
  );
}

function checkStep(value: unknown, where: string, nesting: number): string | undefined {
  if (!isRecord(value)) return `${where} must be an object`;
  if (value.kind !== 'iteration' && value.kind !== 'final-answer') return `${where}.kind must be "iteration" or "final-answer"`;
  if (!Number.isSafeInteger(value.iteration) || (value.iteration as number) < 1) return `${where}.iteration must be a whole number ≥ 1`;
  const action = value.action;
  if (!isRecord(action)) return `${where}.action must be an object`;
  const problem = string(action.response, `${where}.action.response`) ?? optionalRecord(action.usage, `${where}.action.usage`);
  if (problem !== undefined) return problem;
  if (!Array.isArray(value.subcalls)) return `${where}.subcalls must be an array`;
  for (const [index, call] of value.subcalls.entries()) {
    const bad = checkSubcall(call, `${where}.subcalls[${index}]`, nesting);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

function checkRun(value: unknown, where: string, nesting: number): string | undefined {
  if (nesting > MAX_TRAJECTORY_NESTING) return `${where} nests child runs more than ${MAX_TRAJECTORY_NESTING} deep`;
  if (!isRecord(value)) return `${where} must be an object`;
  const problem =
    string(value.question, `${where}.question`) ??
    string(value.model, `${where}.model`) ??
    string(value.subModel, `${where}.subModel`) ??
    count(value.depth, `${where}.depth`) ??
    (Number(value.depth) > MAX_TRAJECTORY_NESTING ? `${where}.depth must be at most ${MAX_TRAJECTORY_NESTING}` : undefined);
  if (problem !== undefined) return problem;
  if (!Array.isArray(value.steps)) return `${where}.steps must be an array`;
  for (const [index, step] of value.steps.entries()) {
    const bad = checkStep(step, `${where}.steps[${index}]`, nesting);
    if (bad !== undefined) return bad;
  }
  if (value.result !== undefined) {
    if (!isRecord(value.result)) return `${where}.result must be an object`;
    const bad = string(value.result.answer, `${where}.result.answer`);
    if (bad !== undefined) return bad;
  }
  return undefined;
}

/**
 * The first problem that keeps `value` from being replayed as a trajectory, as
 * `"steps[2].action.response must be a string"`, or `undefined` when it has the shape replay reads:
 * `version` 1; `question`, `model`, `subModel` strings; `depth` a small whole number; `steps` with
 * a known `kind`, an `iteration`, `action.response` text and well-formed `subcalls` (child runs
 * checked the same way, at most {@link MAX_TRAJECTORY_NESTING} deep); `context` an object whose
 * `value`, when present, is text, a list or a record; `result.answer` text when present.
 */
export function trajectoryProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'expected a JSON object';
  if (value.version !== 1) return `"version" must be 1 (got ${JSON.stringify(value.version) ?? 'nothing'})`;
  if (!isRecord(value.context)) return 'context must be an object';
  const context = value.context.value;
  if (context !== undefined && context !== null && typeof context !== 'string' && typeof context !== 'object') return 'context.value must be text, a list or a record';
  const problem = checkRun(value, 'trajectory', 0);
  return problem?.replace(/^trajectory\./, '');
}

