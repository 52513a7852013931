/**
 * The real-trajectory corpus (`../shared/real-trajectories/`): root responses recorded from the
 * reference Python RLM with real models. Read in place at run time; never copied into this repository.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable that overrides where the corpus folder is. */
export const TRAJECTORIES_ENV = 'RLMS_REAL_TRAJECTORIES';

/**
 * A sub-call reply the reference recorded (terminal captures cut replies at 200 characters). Some
 * captures have no `prompt_preview` and a `response_preview` of the form `Prompt: … Response: …`.
 */
export interface RecordedSubResponse {
  readonly kind: string;
  readonly model?: string;
  readonly prompt_preview: string | null;
  readonly response_preview: string | null;
  readonly truncated?: boolean;
}

/** A recorded sub-call as prompt (possibly cut, `''` when unknown) and reply. */
export interface SubExchange {
  readonly prompt: string;
  readonly reply: string;
  readonly truncated: boolean;
}

/** Reads a recorded sub-call, splitting the `Prompt: … Response: …` form. */
export function subExchange(recorded: RecordedSubResponse): SubExchange {
  const preview = recorded.response_preview ?? '';
  const truncated = recorded.truncated === true;
  if (recorded.prompt_preview !== null && recorded.prompt_preview !== undefined) return { prompt: recorded.prompt_preview, reply: preview, truncated };
  const combined = /^Prompt: ([\s\S]*?)\s*Response: ([\s\S]*)$/.exec(preview);
  if (combined === null) return { prompt: '', reply: preview, truncated };
  return { prompt: combined[1]!, reply: combined[2]!, truncated };
}

/** A code block as the reference extracted and ran it. */
export interface RecordedBlock {
  readonly code: string;
  readonly stdout?: string;
  readonly stderr?: string;
  readonly subcalls?: number;
}

/** How the reference run ended (`real_end`). */
export interface RealEnd {
  readonly how: string;
  readonly answer?: string;
  /** The jupyter-format traces store the answer here instead of `answer`. */
  readonly final_answer_field?: string;
  readonly iterations: number;
  readonly final_in_last_response?: readonly string[] | null;
  readonly caller_saw?: string;
}

/** One recorded trajectory file of the corpus. */
export interface RealTrajectory {
  readonly id: string;
  readonly title?: string;
  readonly model: string;
  readonly reference: { readonly max_iterations: number; readonly max_depth?: number; readonly environment?: string; readonly session_mode?: boolean };
  readonly context: string;
  readonly question: string;
  readonly context_variable_in_trace?: string;
  readonly root_responses: readonly string[];
  readonly root_response_kinds: readonly ('iteration' | 'default_answer')[];
  readonly sub_responses: readonly RecordedSubResponse[];
  readonly recorded_blocks: readonly (readonly RecordedBlock[])[];
  readonly real_end: RealEnd;
  readonly notes?: readonly string[];
}

/** Where the reference run ended, in the runner's terms. */
export interface RealOutcome {
  /** False when the capture stops before the run ended (no answer to compare against). */
  readonly complete: boolean;
  /** `iteration`: a final answer in root turn `turn`; `closing`: the extra "answer now" call after max_iterations. */
  readonly endKind: 'iteration' | 'closing';
  /** 1-based root turn of the end; for `closing`, the number of iterations before the closing call. */
  readonly turn: number;
  readonly answer: string;
  /** The reference wrote a FINAL_VAR it could not resolve (then fell back to the closing call). */
  readonly unresolvedFinal: boolean;
}

/** Reads `real_end` into a {@link RealOutcome}. */
export function realOutcome(trajectory: RealTrajectory): RealOutcome {
  const end = trajectory.real_end;
  const closing = end.how.startsWith('max_iterations reached');
  return {
    complete: !end.how.startsWith('incomplete capture'),
    endKind: closing ? 'closing' : 'iteration',
    turn: end.iterations,
    answer: end.answer ?? end.final_answer_field ?? '',
    unresolvedFinal: end.how.includes('did not resolve'),
  };
}

/** The root responses served to iteration calls, in order. */
export function iterationResponses(trajectory: RealTrajectory): string[] {
  return trajectory.root_responses.filter((_, index) => trajectory.root_response_kinds[index] !== 'default_answer');
}

/** The response of the closing "answer now" call, when the reference made one. */
export function closingResponse(trajectory: RealTrajectory): string | undefined {
  return trajectory.root_responses.find((_, index) => trajectory.root_response_kinds[index] === 'default_answer');
}

function findRepositoryRoot(start: string): string | undefined {
  let folder = start;
  for (;;) {
    if (existsSync(join(folder, 'pnpm-workspace.yaml'))) return folder;
    const parent = dirname(folder);
    if (parent === folder) return undefined;
    folder = parent;
  }
}

/** The repository root (the folder with `pnpm-workspace.yaml` above this file). */
export function repositoryRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = findRepositoryRoot(here);
  if (root === undefined) throw new Error(`Cannot find the repository root (pnpm-workspace.yaml) above ${here}.`);
  return root;
}

/**
 * The corpus folder: `$RLMS_REAL_TRAJECTORIES` when set, else `../shared/real-trajectories`
 * relative to the repository root. It may not exist (check with {@link corpusAvailable}).
 */
export function corpusDirectory(env: NodeJS.ProcessEnv = process.env): string {
  const override = env[TRAJECTORIES_ENV];
  if (override !== undefined && override !== '') return resolve(override);
  return resolve(repositoryRoot(), '..', 'shared', 'real-trajectories');
}

/** Whether the corpus folder holds `corpus/*.json`. */
export function corpusAvailable(directory: string = corpusDirectory()): boolean {
  return existsSync(join(directory, 'corpus'));
}

/** Options of {@link loadCorpus}. */
export interface LoadCorpusOptions {
  /** Keep trajectories whose id contains this substring. */
  readonly filter?: string;
  /** Keep the first N (after the filter), in id order. */
  readonly limit?: number;
}

/**
 * Loads the trajectories of `directory/corpus/*.json`, sorted by id. Throws an `Error` that says
 * where the corpus is expected (and the environment variable) when the folder is missing.
 */
export async function loadCorpus(directory: string = corpusDirectory(), options: LoadCorpusOptions = {}): Promise<RealTrajectory[]> {
  if (!corpusAvailable(directory)) {
    throw new Error(`No real-trajectory corpus at ${directory} (expected ${join(directory, 'corpus')}/*.json): set ${TRAJECTORIES_ENV} to the folder that holds corpus/.`);
  }
  const files = (await readdir(join(directory, 'corpus'))).filter((name) => name.endsWith('.json')).sort();
  const trajectories: RealTrajectory[] = [];
  for (const file of files) {
    const trajectory = JSON.parse(await readFile(join(directory, 'corpus', file), 'utf8')) as RealTrajectory;
    if (options.filter !== undefined && !trajectory.id.includes(options.filter)) continue;
    trajectories.push(trajectory);
    if (options.limit !== undefined && trajectories.length >= options.limit) break;
  }
  return trajectories;
}
