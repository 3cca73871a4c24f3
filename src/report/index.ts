/** Renderers for auditor-facing reports: HTML (self-contained, printable), CSV (spreadsheet safe) and JSON. */
export { renderTimeToRevokeChart, chartBuckets } from './chart';
export type { ChartBucket } from './chart';
export { renderLeaversHtml } from './leavers-html';
export type { ReportProvenance } from './leavers-html';
export { renderLeaversCsv, LEAVER_CSV_COLUMNS } from './leavers-csv';
export { renderLeaversJson, LEAVER_REPORT_JSON_VERSION } from './leavers-json';
export { escapeHtml, formatHours, formatShare, formatUtc } from './format';
export { renderPolicyHtml, renderPolicyJson, renderPolicyMarkdown, POLICY_REPORT_JSON_VERSION } from './policy';
