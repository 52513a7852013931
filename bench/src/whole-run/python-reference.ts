/**
 * The Python reference RLM (alexzhang13/rlm, package `rlms` on PyPI) run side by side: when
 * `PYRLM_DIR` points at a checkout, a small driver imports `rlm.RLM` from it and answers the same
 * question over the same file against the same scripted server, in the reference's own dialect
 * (```repl``` blocks, `answer["ready"] = True`). The driver is passed with `python -c`.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where the reference is and which Python runs it, or why it cannot run. */
export type ReferenceSetup =
  | { readonly available: true; readonly dir: string; readonly python: string }
  | { readonly available: false; readonly reason: string };

/**
 * Finds the reference: `PYRLM_DIR` (a checkout holding `rlm/core/rlm.py`), run by `PYRLM_PYTHON`, else
 * `$PYRLM_DIR/.venv/bin/python`, else `python3` (it needs the reference's dependencies: openai,
 * python-dotenv, requests, rich).
 */
export function findReference(env: NodeJS.ProcessEnv = process.env): ReferenceSetup {
  const dir = env.PYRLM_DIR;
  if (dir === undefined || dir === '') {
    return { available: false, reason: 'PYRLM_DIR is not set (point it at a checkout of github.com/alexzhang13/rlm with its dependencies installed; PYRLM_PYTHON picks the interpreter)' };
  }
  if (!existsSync(join(dir, 'rlm', 'core', 'rlm.py'))) return { available: false, reason: `PYRLM_DIR=${dir} holds no rlm/core/rlm.py (not a checkout of alexzhang13/rlm)` };
  const venv = join(dir, '.venv', 'bin', 'python');
  const python = env.PYRLM_PYTHON !== undefined && env.PYRLM_PYTHON !== '' ? env.PYRLM_PYTHON : existsSync(venv) ? venv : 'python3';
  return { available: true, dir, python };
}

/** The marker before the driver's JSON result line. */
export const RESULT_MARKER = 'RLMS_BENCH_RESULT ';

/** The driver: reads the file, runs `RLM.completion(context, root_prompt=question)`, prints the answer as JSON. */
export const REFERENCE_DRIVER = `
import json, sys, time
cfg = json.loads(sys.argv[1])
sys.path.insert(0, cfg["dir"])
from rlm import RLM
with open(cfg["contextPath"], encoding="utf-8") as f:
    context = f.read()
rlm = RLM(backend="openai", backend_kwargs={"model_name": cfg["model"], "base_url": cfg["baseURL"], "api_key": "bench"}, environment="local", max_iterations=cfg["maxIterations"])
started = time.perf_counter()
result = rlm.completion(context, root_prompt=cfg["question"])
print("${RESULT_MARKER.trim()} " + json.dumps({"answer": str(result.response), "completionMs": (time.perf_counter() - started) * 1000}), flush=True)
`;

/** The arguments of the reference's Python process. */
export function referenceArgs(setup: { readonly dir: string }, options: { readonly contextPath: string; readonly baseURL: string; readonly question: string; readonly maxIterations?: number }): string[] {
  const config = { dir: setup.dir, contextPath: options.contextPath, model: 'bench-model', baseURL: options.baseURL, question: options.question, maxIterations: options.maxIterations ?? 10 };
  return ['-c', REFERENCE_DRIVER, JSON.stringify(config)];
}

/** The driver's result from its stdout (the last marked line), or undefined. */
export function parseReferenceOutput(stdout: string): { readonly answer: string; readonly completionMs?: number } | undefined {
  const line = stdout.split('\n').reverse().find((candidate) => candidate.startsWith(RESULT_MARKER));
  if (line === undefined) return undefined;
  try {
    const parsed = JSON.parse(line.slice(RESULT_MARKER.length)) as { answer?: unknown; completionMs?: unknown };
    if (typeof parsed.answer !== 'string') return undefined;
    return { answer: parsed.answer, ...(typeof parsed.completionMs === 'number' ? { completionMs: parsed.completionMs } : {}) };
  } catch {
    return undefined;
  }
}
