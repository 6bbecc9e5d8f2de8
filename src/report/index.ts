// The report's public surface (docs/report.md): `adainfc report` is a thin wrapper.
export { buildReport, defaultReportPath, type ReportOptions, type ReportResult } from "./build-report.js";
export { loadReportInput, projectDirOf, reportDir, ReportInputError, type ReportInput, type ReportPoint } from "./load-runs.js";
export { lineChartSvg, niceTicks, type ChartSeries, type ChartSpec } from "./line-chart.js";
export { escapeHtml } from "./escape.js";
