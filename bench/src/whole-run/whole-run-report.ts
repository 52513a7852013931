/**
 * The `whole-run` section of RESULTS.md: the whole-run table with its phase breakdown, the ratios
 * issue 22 names, and each target met or missed with the measured floor that explains it.
 */
import { formatMs, formatRatio, markdownTable } from '../util/format.js';
import { modelWaitTotal } from './phases.js';
import type { WholeRunReport, WholeRunRow } from './run-whole-run.js';
import { dash, findRow, formatGB, phaseParts } from './whole-run-rows.js';
import { wholeRunTargets } from './whole-run-targets.js';

function label(row: WholeRunRow): string {
  return row.implementation === 'reference' ? 'Python reference (LocalREPL)' : `rlms --sandbox ${row.sandbox}`;
}

function processes(row: WholeRunRow): string {
  return row.processes.map((process) => `${process.name} ${formatGB(process.peakBytes)}`).join(' + ');
}

function runTable(report: WholeRunReport): string {
  const sizes = [...new Set(report.rows.map((row) => row.sizeMB))].sort((a, b) => a - b);
  const rows: string[][] = [];
  for (const size of sizes) {
    for (const row of report.rows.filter((candidate) => candidate.sizeMB === size)) {
      const parts = phaseParts(row);
      const wait = row.modelWaitMs ?? (row.phases === undefined ? undefined : modelWaitTotal(row.phases));
      rows.push([
        `${size} MB`,
        label(row),
        `${row.correct ? `✅ ${row.answer}` : `❌ ${row.error ?? row.answer}`}${row.failures === undefined ? '' : ` (${row.failures.length} of ${row.runs ?? '?'} runs failed${row.correct ? ', see below' : ''})`}`,
        formatMs(row.wallMs),
        dash(wait),
        dash(wait === undefined ? undefined : row.wallMs - wait),
        formatGB(row.peakRssBytes),
        `${(row.peakRssBytes / row.bytes).toFixed(1)}×`,
        ...parts.map((part) => dash(part.ms)),
      ]);
    }
  }
  return markdownTable(
    ['context', 'run', 'answer', 'wall', 'model wait', 'machinery', 'peak RSS', 'RSS / context', ...phaseParts({ wallMs: 0 }).map((part) => part.name)],
    rows,
  );
}

function ratioTable(report: WholeRunReport): string {
  const sizes = [...new Set(report.rows.map((row) => row.sizeMB))].sort((a, b) => a - b);
  const ratio = (a: WholeRunRow | undefined, b: WholeRunRow | undefined, value: (row: WholeRunRow) => number): string =>
    a === undefined || b === undefined ? '—' : formatRatio(value(a) / value(b));
  const wall = (row: WholeRunRow): number => row.wallMs;
  const rss = (row: WholeRunRow): number => row.peakRssBytes;
  const local = (size: number): WholeRunRow | undefined => findRow(report, 'rlms', 'local', size);
  const lines: [string, (size: number) => string][] = [
    ['wall: pyodide / local', (size) => ratio(findRow(report, 'rlms', 'pyodide', size), local(size), wall)],
    ['wall: docker / local', (size) => ratio(findRow(report, 'rlms', 'docker', size), local(size), wall)],
    ['wall: Python reference / rlms local (speed-up)', (size) => ratio(findRow(report, 'reference', 'local', size), local(size), wall)],
    ['peak RSS: pyodide / local', (size) => ratio(findRow(report, 'rlms', 'pyodide', size), local(size), rss)],
    ['peak RSS: Python reference / rlms local', (size) => ratio(findRow(report, 'reference', 'local', size), local(size), rss)],
  ];
  return markdownTable(['ratio', ...sizes.map((size) => `${size} MB`)], lines.map(([name, cell]) => [name, ...sizes.map(cell)]));
}

/** The whole `whole-run` section (without the begin/end markers). */
export function wholeRunSection(report: WholeRunReport): string {
  const m = report.machine;
  const busy = report.loadAverage.start > m.cores || report.loadAverage.end > m.cores;
  const out: string[] = [
    '## Whole runs through the CLI (issue 22)',
    '',
    `Command: \`${report.command}\` (only this scenario; \`pnpm bench --only whole-run\` does the same) · ${report.startedAt} · ${formatMs(report.durationMs)} · ${m.cpuModel}, ${m.cores} cores, ${m.memoryGB} GB · Node ${m.node}, ${m.python ?? 'no python3'}, Docker ${m.docker ?? 'not available'} · load average ${report.loadAverage.start.toFixed(1)} at start, ${report.loadAverage.end.toFixed(1)} at end.`,
    '',
  ];
  if (busy) {
    out.push(
      `> **The machine was busy** (load average above its ${m.cores} cores: other sessions were building and testing at the same time). Every figure below is inflated by CPU contention, and unevenly; ratios of runs made minutes apart are rough. Re-run on an idle machine for figures of record.`,
      '',
    );
  }
  out.push(
    `What runs: \`node ${report.cliPath.replace(/^.*\/packages\//, 'packages/')} ask "<question>" --context <file> --base-url <scripted server> --model bench-model --sandbox <name> --mode rlm --max-iterations 10 --verbose\` as a child process, over real HTTP to the scripted OpenAI-compatible server (a child process, latency 0), which plays **probe → ${report.chunkChars.toLocaleString('en-US')}-character chunks → \`llm_query_batched\` → answer** (4 root turns; 5 / 50 / 500 sub-calls at 1 / 10 / 100 MB). The context file is ASCII text of 64-byte lines, one "needle" line in 97; the answer (the needle count) is checked on every run. The Python reference runs \`RLM(backend="openai", environment="local").completion(context, root_prompt=question)\` on the same file and server, in its own dialect (\`answer["ready"] = True\`). Each sandbox first gets one unmeasured warm-up run on the smallest file (its first-ever start is reported apart); each case then ran ${Math.max(1, ...report.rows.map((row) => row.runs ?? 1))} time(s) and the fastest correct run is reported.`,
    '',
    '- **wall**: spawn → exit of the child process. **peak RSS**: Σ of `VmHWM` over the child\'s process tree (node with the Pyodide worker, the python3 child, the docker CLI; for Docker also the python inside the container), sampled every 25 ms — an upper bound of the simultaneous peak.',
    '- **phases** (they add up to the wall), from the `--verbose` trace, each stderr line stamped when it reaches the bench: *start-up* = spawn → "Run started" (Node start-up, imports, reading the file, the engine\'s `prepare`); *sandbox start*, *context load*, *root model* = the engine\'s `Time:` line (the trajectory\'s `timings`); *sub-calls in flight* = wall time with at least one sub-call open (client side: at latency 0 this is HTTP + the OpenAI SDK + the server\'s own work); *Python + transfer* = the cells as the sandbox timed them minus sub-calls in flight (building prompts, sending the batch to the host, parsing it, replies back); *engine rest* = the run minus all of the above; *exit* = "Run completed" → process exit (freeing the sandbox, Node shutting down). The trace is read instead of `--json` because `--json` prints every sub-call prompt whole (at 100 MB a 101 MB JSON document, ≈ 2 s and 0.17 GB more in a test run); `RLMS_BENCH_JSON=1` measures with `--json` anyway.',
    '- **model wait** = root model + sub-calls in flight; **machinery** = wall − model wait. At latency 0 the model itself thinks for 0 ms, so strictly *all* of the wall is machinery; the model-wait column is what a real model\'s latency would overlap with.',
    '',
  );
  if (report.staleCli !== undefined) out.push(`> Note: ${report.staleCli}`, '');
  if (report.builds !== undefined && report.builds.start !== report.builds.end) {
    out.push(`> **Packages were rebuilt during this run** (newest file under \`packages/*/dist\`: ${report.builds.start} at the start, ${report.builds.end} at the end): later rows may measure a newer engine than earlier ones.`, '');
  }
  if (report.skipped.length > 0) {
    out.push('Not measured:', '', ...report.skipped.map((skip) => `- ${skip.what}: ${skip.reason}`), '');
  }
  out.push(runTable(report), '');
  const failed = report.rows.filter((row) => row.correct && row.failures !== undefined);
  if (failed.length > 0) {
    out.push('Failed runs besides the reported ones:', '', ...failed.flatMap((row) => row.failures!.map((failure) => `- ${row.sizeMB} MB, ${label(row)}: ${failure.slice(0, 300)}`)), '');
  }
  const breakdown = report.rows.filter((row) => row.processes.length > 0);
  if (breakdown.length > 0) {
    out.push('Peak RSS by process:', '', ...breakdown.map((row) => `- ${row.sizeMB} MB, ${label(row)}: ${processes(row)}`), '');
  }
  const firsts = Object.entries(report.firstStartMs).filter(([, ms]) => ms !== undefined);
  if (firsts.length > 0) out.push(`Sandbox start of the warm-up run (first run of this bench): ${firsts.map(([name, ms]) => `${name} ${formatMs(ms!)}`).join(', ')}.`, '');
  out.push('### Ratios', '', ratioTable(report), '');
  out.push('### Targets of issue 22', '', markdownTable(['target', 'measured', 'verdict', 'floor: what explains it, what it would take'], wholeRunTargets(report).map((t) => [t.target, t.measured, t.verdict, t.floor])), '');
  return out.join('\n');
}
