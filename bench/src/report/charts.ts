import type { BenchReport } from '../run-bench.js';
import { barChart, lineChart } from './svg-chart.js';
import { TARGETS } from './targets.js';

/** SVG files for a report, by file name (written under `results/`). */
export function buildCharts(report: BenchReport): Map<string, string> {
  const charts = new Map<string, string>();
  if (report.overhead.length > 0) {
    charts.set(
      'overhead-per-iteration.svg',
      barChart({
        title: 'Engine + sandbox overhead per iteration (model time excluded)',
        yLabel: 'ms per root iteration',
        unit: ' ms',
        groups: report.overhead.map((result) => ({
          label: result.sandbox,
          values: [
            { name: 'median', value: result.overheadMs.median },
            { name: 'p90', value: result.overheadMs.p90 },
            { name: 'engine (median)', value: result.engineMs.median },
          ],
        })),
        targets: Object.entries(TARGETS.iterationOverheadMs)
          .filter(([sandbox]) => report.overhead.some((result) => result.sandbox === sandbox))
          .map(([sandbox, value]) => ({ label: `target ${sandbox}: ${value} ms`, value })),
      }),
    );
  }
  if (report.contextLoad.length > 0) {
    charts.set(
      'context-load-time.svg',
      lineChart({
        title: 'Context load time (prepare + loadContext)',
        xLabel: 'context size (MB)',
        yLabel: 'ms',
        series: report.contextLoad.map((result) => ({ name: result.sandbox, points: result.rows.map((row) => ({ x: row.bytes / 1e6, y: row.totalMs })) })),
      }),
    );
    charts.set(
      'context-load-memory.svg',
      lineChart({
        title: 'Peak RSS growth while loading the context',
        xLabel: 'context size (MB)',
        yLabel: 'MB',
        series: report.contextLoad.map((result) => ({ name: result.sandbox, points: result.rows.map((row) => ({ x: row.bytes / 1e6, y: row.memory.growthBytes / 1e6 })) })),
        references: [
          {
            name: `${TARGETS.loadGrowthRatio}× context (target)`,
            points: [0, Math.max(...report.contextLoad.flatMap((result) => result.rows.map((row) => row.bytes / 1e6)))].map((x) => ({ x, y: x * TARGETS.loadGrowthRatio })),
          },
        ],
      }),
    );
  }
  if (report.scale.length > 0) {
    charts.set(
      'scale-time.svg',
      lineChart({
        title: 'Full scripted run: wall time vs context size',
        xLabel: 'context (million tokens)',
        yLabel: 'ms',
        series: report.scale.flatMap((result) => [
          { name: `${result.sandbox} wall`, points: result.rows.map((row) => ({ x: row.tokens / 1e6, y: row.wallMs })) },
          { name: `${result.sandbox} machinery`, points: result.rows.map((row) => ({ x: row.tokens / 1e6, y: row.machineryMs })) },
        ]),
      }),
    );
    charts.set(
      'scale-memory.svg',
      lineChart({
        title: 'Full scripted run: peak RSS growth vs context size',
        xLabel: 'context (million tokens)',
        yLabel: 'MB',
        series: report.scale.map((result) => ({ name: result.sandbox, points: result.rows.map((row) => ({ x: row.tokens / 1e6, y: row.totalGrowthBytes / 1e6 })) })),
      }),
    );
  }
  if (report.batched.length > 0) {
    charts.set(
      'batched-vs-ideal.svg',
      barChart({
        title: `llm_query_batched wall time vs ideal (${report.batched[0]!.latencyMs} ms per call)`,
        yLabel: 'ms',
        unit: '',
        groups: report.batched.flatMap((result) =>
          result.rows.map((row) => ({
            label: `${result.sandbox} N=${row.prompts}`,
            values: [
              { name: 'measured', value: row.wallMs },
              { name: 'ideal ceil(N/C)×latency', value: row.idealMs },
            ],
          })),
        ),
      }),
    );
  }
  const side = report.sideBySide;
  if (side !== undefined && side.rows.length > 0) {
    charts.set(
      'side-by-side.svg',
      barChart({
        title: `Same workload, same server (${side.latencyMs} ms per model call)`,
        yLabel: 'ms',
        unit: '',
        groups: side.rows.map((row) => ({
          label: row.id,
          values: [
            { name: 'wall per run (median)', value: row.wallMs.median },
            { name: 'overhead per iteration (median)', value: row.overheadPerIterationMs.median },
          ],
        })),
      }),
    );
  }
  return charts;
}
