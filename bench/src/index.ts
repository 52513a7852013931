export { runBench, type BenchOptions, type BenchReport, type BenchError } from './run-bench.js';
export { main, HELP } from './cli.js';
export { BENCH_SECTIONS, QUICK_PROFILE, FULL_PROFILE, SMOKE_PROFILE, type BenchProfile, type BenchSection } from './bench-profile.js';
export {
  runSuite,
  type RunSuiteOptions,
  type SuiteReport,
  type SuiteSizeRow,
  type ModeSummary,
  type TaskOutcome,
} from './suites/run-suite.js';
export { getSuite, SUITE_IDS } from './suites/suites.js';
export { createOracleModel, type OracleModelOptions } from './suites/oracle-model.js';
export type { Suite, SuiteId, SuiteTask, TaskScore } from './suites/suite-types.js';
export { writeResults } from './report/write-results.js';
export { lineChart, barChart, type ChartSeries, type BarGroup } from './report/svg-chart.js';
export { loadSandboxes, closeSandboxes, SANDBOX_NAMES, type SandboxName, type SandboxEntry } from './sandboxes/load-sandboxes.js';
