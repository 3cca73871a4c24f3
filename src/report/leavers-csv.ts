import { toCsv } from '../lib/csv';
import { ACCESS_CATEGORIES, categoriesOf, describeMarkedBy } from '../domain/evidence/leavers';
import type { LeaverReport } from '../domain/evidence/leavers';
import { roundHours } from './format';
import { sessionEvidenceWords } from '../domain/evidence/sessions';

const CATEGORY_COLUMNS = ACCESS_CATEGORIES.flatMap((c) => [`${c}_closed_at`, `${c}_verified_at`]);

/** Columns of the per-leaver CSV, in order. */
export const LEAVER_CSV_COLUMNS: readonly string[] = [
  'status',
  'full_name',
  'email',
  'employee_id',
  'effective_at',
  'marked_by',
  'no_access_left_at',
  'hours_to_no_access',
  'within_sla',
  'accounts',
  ...CATEGORY_COLUMNS,
  'paths',
  'notes',
  'sessions',
];

/**
 * One row per leaver, per category the time its last path was closed and verified (`open` while
 * one is not, empty when the leaver had none), and every path in one cell. Cells are spreadsheet
 * safe: `toCsv` quotes per RFC 4180 and defuses formulas.
 */
export function renderLeaversCsv(report: LeaverReport): string {
  const rows = report.leavers.map((leaver) => {
    const categories = categoriesOf(leaver);
    const perCategory = ACCESS_CATEGORIES.flatMap((c) => {
      const cat = categories.get(c);
      if (cat === undefined) return ['', ''];
      if (cat.open > 0) return ['open', 'open'];
      return [cat.closedAt ?? '', cat.verifiedAt ?? ''];
    });
    return [
      leaver.open ? 'OPEN' : 'closed',
      leaver.fullName ?? '',
      leaver.email,
      leaver.employeeId,
      leaver.effectiveAt ?? '',
      describeMarkedBy(leaver.markedBy),
      leaver.noAccessLeftAt ?? '',
      roundHours(leaver.hoursToNoAccess) ?? '',
      leaver.sla === 'met' ? 'yes' : leaver.sla === 'missed' ? 'no' : 'pending',
      leaver.accounts.join(' '),
      ...perCategory,
      leaver.paths
        .map((p) => `${p.action} ${p.account ?? ''}/${p.target}${p.detail !== '' ? ` ${p.detail}` : ''}: ${p.status}${p.verifiedAt !== undefined ? ' verified' : ''}`)
        .join('; '),
      leaver.notes.join('; '),
      (leaver.sessions ?? []).map((x) => sessionEvidenceWords(x, new Date(report.generatedAt))).join('; '),
    ];
  });
  return toCsv(LEAVER_CSV_COLUMNS, rows);
}
