import type { LeaverReport } from '../domain/evidence/leavers';
import type { ReportProvenance } from './leavers-html';

/** Version of the JSON leaver report; bumped only for breaking changes. */
export const LEAVER_REPORT_JSON_VERSION = 1;

/** The full report (every path with its audit seqs) as JSON, for scripts and GRC tools. */
export function renderLeaversJson(report: LeaverReport, provenance: ReportProvenance = {}): string {
  return `${JSON.stringify({ version: LEAVER_REPORT_JSON_VERSION, ...report, ...(provenance.chain !== undefined ? { chain: provenance.chain } : {}) }, null, 2)}\n`;
}
