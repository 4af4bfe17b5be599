/**
 * results/: everything that turns RunResults into numbers, files and a report. Imports only
 * types from sim/result.ts, node builtins, and (at render time, as a file) d3's browser bundle.
 */
export { mean } from "./stats/mean.js";
export { sampleSd } from "./stats/sampleSd.js";
export { studentTCdf, studentTQuantile } from "./stats/studentT.js";
export { confidenceInterval, type Estimate } from "./stats/confidenceInterval.js";
export { significantlyBetter } from "./stats/significantlyBetter.js";
export { mergeStats, statsPoints, emptyStats } from "./stats/mergeStats.js";
export { schedulerLabel, formatOptions } from "./label.js";
export {
  METRICS,
  METRIC_KEYS,
  metricDef,
  metricInfos,
  runLatency,
  PERCENTILE_RESOLUTION,
  type Direction,
  type MetricDef,
  type MetricInfo,
  type MetricKey,
  type MetricUnit,
} from "./metrics.js";
export {
  aggregate,
  bestPerMetric,
  bestPerGroupMetric,
  rankedRows,
  seedsVary,
  AGGREGATE_SCHEMA,
  type Aggregate,
  type AggregateOptions,
  type AggregateRow,
  type AggregateGroup,
  type Best,
  type RowExit,
} from "./aggregate.js";
export { formatRowExits } from "./format/exits.js";
export { GROUP_METRICS, groupMetricInfos, type GroupMetricDef, type GroupMetricInfo, type GroupMetricKey } from "./groupMetrics.js";
export { relativeTo, formatRatio, type Relative, type RelativeRow } from "./relative.js";
export { ratioOf, type Ratio } from "./stats/ratio.js";
export { atomicWrite } from "./io/atomicWrite.js";
export { writeResultsJson, writeTasksJson, runSummary, RESULTS_SCHEMA, TASKS_SCHEMA, type ResultsFile, type RunSummary } from "./io/json.js";
export { writeResultsCsv, toCsv, csvField, CSV_COLUMNS } from "./io/csv.js";
export { formatQuantity, formatEstimate, formatEstimateParts, formatNs } from "./format/units.js";
export { formatSummaryTable, SUMMARY_COLUMNS, type SummaryOptions } from "./format/summaryTable.js";
export {
  toChromeTrace,
  traceEventsOf,
  writeChromeTrace,
  writeChromeTraceFile,
  CPUS_PID,
  TASKS_PID,
  type ChromeTrace,
  type TraceEvent,
} from "./trace/chromeTrace.js";
export { taskStates, type StateSpan, type TaskState } from "./trace/taskStates.js";
export { atomicWriteStream } from "./io/atomicWrite.js";
export { renderReport, writeReport, embedJson, escapeHtml, type ReportInput } from "./report/render.js";
export { buildReportData, type ReportData, type RunView } from "./report/data.js";
export { reportTimeline, reportSliceCap, REPORT_SLICE_BUDGET, type ReportTimeline } from "./report/timelines.js";
