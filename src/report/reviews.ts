import type { ReviewEvidence } from '../domain/reviews/evidence';
import { toCsv } from '../lib/csv';
import { escapeHtml, formatUtc } from './format';

/** Access review evidence as CSV (formula-safe), JSON and a self-contained HTML page. */

export const REVIEW_CSV_COLUMNS: readonly string[] = [
  'campaign',
  'email',
  'employee_id',
  'full_name',
  'role',
  'department',
  'reviewer',
  'escalated_at',
  'entitlement',
  'kind',
  'holder',
  'role_allows',
  'decision',
  'decided_by',
  'decided_at',
  'decided_as',
  'change',
  'verified',
  'change_run_id',
  'change_detail',
];

export function renderReviewCsv(evidence: ReviewEvidence): string {
  return toCsv(
    REVIEW_CSV_COLUMNS,
    evidence.rows.map((r) => [
      evidence.campaign.id,
      r.email,
      r.employeeId,
      r.fullName ?? '',
      r.role ?? '',
      r.department ?? '',
      r.reviewer,
      r.escalatedAt ?? '',
      r.entitlement,
      r.kind,
      r.holder,
      r.roleAllows ? 'yes' : 'no',
      r.decision,
      r.decidedBy ?? '',
      r.decidedAt ?? '',
      r.decidedAs ?? '',
      r.change ?? '',
      r.verified === undefined ? '' : r.verified ? 'yes' : 'no',
      r.changeRunId ?? '',
      r.changeDetail ?? '',
    ]),
  );
}

export const renderReviewJson = (evidence: ReviewEvidence): string => `${JSON.stringify({ version: 1, kind: 'access-review', ...evidence }, null, 2)}\n`;

const STYLE = `body{font-family:system-ui,sans-serif;margin:2rem;color:#1b1b1b}table{border-collapse:collapse;width:100%;font-size:.85rem}
th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f0f0f0}
.keep{color:#1a6e2e}.revoke{color:#a11}.undecided{color:#8a5a00}dl{display:grid;grid-template-columns:max-content auto;gap:.2rem 1rem}
@media print{body{margin:0}}`;

export function renderReviewHtml(evidence: ReviewEvidence): string {
  const { campaign: c, summary: s } = evidence;
  const facts: [string, string][] = [
    ['Campaign', c.id],
    ['Scope', c.scope],
    ['Status', c.status],
    ['Started', `${formatUtc(c.startedAt)} by ${c.startedBy}`],
    ['Due', formatUtc(c.dueAt)],
    ['Closed', formatUtc(c.closedAt)],
    ['Undecided at the due date', c.undecided === 'keep' ? 'kept' : 'revoked'],
    ['Reminder / escalation', `after ${c.remindAfterDays} / ${c.escalateAfterDays} days`],
  ];
  const rows = evidence.rows
    .map(
      (r) => `<tr><td>${escapeHtml(r.fullName ?? '')}<br>${escapeHtml(r.email)}</td><td>${escapeHtml(r.reviewer)}${r.escalatedAt !== undefined ? `<br>escalated ${escapeHtml(formatUtc(r.escalatedAt))}` : ''}</td>` +
        `<td>${escapeHtml(r.entitlement)}<br><small>${escapeHtml(r.holder)}${r.roleAllows ? ' · role grants it' : ''}</small></td>` +
        `<td class="${r.decision}">${escapeHtml(r.decision)}</td><td>${escapeHtml(r.decidedBy ?? '')}<br><small>${escapeHtml(formatUtc(r.decidedAt))}${r.decidedAs !== undefined ? ` · ${escapeHtml(r.decidedAs)}` : ''}</small></td>` +
        `<td>${escapeHtml(r.change ?? '')}${r.verified === undefined ? '' : r.verified ? ' · verified' : ' · <strong>not verified</strong>'}${r.changeDetail !== undefined ? `<br><small>${escapeHtml(r.changeDetail)}</small>` : ''}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Access review ${escapeHtml(c.id)}</title><style>${STYLE}</style></head>
<body><h1>Access review ${escapeHtml(c.id)}</h1>
<p>SOC 2 CC6.2 / CC6.3 user access review: each person's access certified by their manager (or HR), with every revoke carried out and verified by Warden.</p>
<dl>${facts.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>
<h2>Summary</h2>
<p id="summary">${s.people} people, ${s.items} items: ${s.kept} kept, ${s.revoked} revoked (${s.revokesVerified} verified, ${s.revokesOpen} open), ${s.undecided} undecided, ${s.defaulted} given the default; ${s.reminded} reminded, ${s.escalated} escalated.</p>
<h2>Items</h2>
<table><thead><tr><th>Person</th><th>Reviewer</th><th>Entitlement</th><th>Decision</th><th>By / when</th><th>Change</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>
`;
}
