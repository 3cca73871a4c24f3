import { sessionEvidenceWords } from '../domain/evidence/sessions';
import { ACCESS_CATEGORIES, categoriesOf, categoryLabel, describeMarkedBy } from '../domain/evidence/leavers';
import type { LeaverEvidence, LeaverReport, PathEvidence, SlaOutcome } from '../domain/evidence/leavers';
import { renderTimeToRevokeChart } from './chart';
import { escapeHtml, formatHours, formatShare, formatUtc } from './format';

/** What the report can say about the log it was computed from. */
export interface ReportProvenance {
  /** The period as asked for (dates in the config's time zone), shown beside the UTC instants. */
  readonly period?: { readonly from: string; readonly to: string; readonly timezone: string };
  /** e.g. `SQLite /srv/warden/warden.db`. */
  readonly source?: string;
  /** The chain check done just before rendering. */
  readonly chain?: { readonly ok: boolean; readonly entries: number; readonly head?: string; readonly problem?: string; readonly anchoredBy?: readonly string[] };
  /** The policy clauses this evidence supports (verbatim), shown with the framework references auditors sample against. */
  readonly controls?: readonly { readonly title: string; readonly section: string; readonly clause: string }[];
}

const SLA_TEXT: Readonly<Record<SlaOutcome, string>> = { met: 'yes', missed: 'no', pending: 'pending' };

const slaBadge = (sla: SlaOutcome): string => `<span class="badge sla-${sla}">${SLA_TEXT[sla]}</span>`;

const statusBadge = (leaver: LeaverEvidence): string =>
  leaver.open ? '<span class="badge open">OPEN</span>' : '<span class="badge closed">closed</span>';

const seqRef = (seq: number | undefined): string => (seq === undefined ? '' : ` <span class="seq">#${seq}</span>`);

function pathRow(path: PathEvidence): string {
  const status = path.status === 'closed' && path.verifiedAt === undefined ? 'closed, not verified' : path.status;
  return `<tr class="path path-${escapeHtml(path.status)}">
<td>${escapeHtml(categoryLabel(path.category))}</td>
<td>${escapeHtml(path.account ?? '')}</td>
<td>${escapeHtml(path.target)}</td>
<td>${escapeHtml(path.detail)}</td>
<td>${escapeHtml(formatUtc(path.closedAt))}${seqRef(path.closedSeq)}</td>
<td>${escapeHtml(formatUtc(path.verifiedAt))}${seqRef(path.verifiedSeq)}</td>
<td class="status">${escapeHtml(status)}${path.error !== undefined ? `<div class="error">${escapeHtml(path.error)}</div>` : ''}</td>
</tr>`;
}

/** Each IAM user's role sessions as last recorded, worded at the report's time. */
const sessionsText = (leaver: LeaverEvidence, generatedAt: string): string =>
  (leaver.sessions ?? []).map((s) => sessionEvidenceWords(s, new Date(generatedAt))).join('; ');

function leaverSection(leaver: LeaverEvidence, index: number, generatedAt: string): string {
  const name = leaver.fullName ?? leaver.email;
  const categories = categoriesOf(leaver);
  const rollup = ACCESS_CATEGORIES.filter((c) => categories.has(c))
    .map((c) => {
      const cat = categories.get(c);
      if (cat === undefined) return '';
      const state = cat.open > 0 ? `${cat.open} open` : `closed ${escapeHtml(formatUtc(cat.verifiedAt ?? cat.closedAt))}`;
      return `<li><strong>${escapeHtml(categoryLabel(c))}</strong> (${cat.paths}): ${state}</li>`;
    })
    .join('');
  const notes = leaver.notes.length > 0 ? `<ul class="notes">${leaver.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  return `<section class="leaver${leaver.open ? ' is-open' : ''}" id="leaver-${index + 1}">
<h3>${statusBadge(leaver)} ${escapeHtml(name)} <span class="muted">${escapeHtml(leaver.email)} · ${escapeHtml(leaver.employeeId)}</span></h3>
<dl class="facts">
<dt>Effective</dt><dd>${escapeHtml(formatUtc(leaver.effectiveAt) || 'not recorded')}</dd>
<dt>Marked by</dt><dd>${escapeHtml(describeMarkedBy(leaver.markedBy))}</dd>
<dt>No access left</dt><dd>${leaver.noAccessLeftAt !== undefined ? escapeHtml(formatUtc(leaver.noAccessLeftAt)) : '<strong>not yet</strong>'}</dd>
<dt>Time to revoke</dt><dd>${escapeHtml(elapsed(leaver, generatedAt))}</dd>
<dt>Within SLA</dt><dd>${slaBadge(leaver.sla)}</dd>
<dt>Accounts</dt><dd>${escapeHtml(leaver.accounts.join(', '))}</dd>
<dt>Live sessions</dt><dd>${escapeHtml(sessionsText(leaver, generatedAt) || 'none recorded')}</dd>
<dt>Runs</dt><dd class="runs">${leaver.runs.map(escapeHtml).join('<br>')}</dd>
</dl>
<ul class="rollup">${rollup}</ul>
${notes}
<table class="paths">
<thead><tr><th>Path</th><th>Account</th><th>Target</th><th>Detail</th><th>Closed</th><th>Verified</th><th>Status</th></tr></thead>
<tbody>${leaver.paths.map(pathRow).join('\n')}</tbody>
</table>
${postRevocationTable(leaver)}
</section>`;
}

/** Calls CloudTrail showed as the leaver after "no access left" (high findings), when there are any. */
function postRevocationTable(leaver: LeaverEvidence): string {
  const uses = leaver.postRevocationUse ?? [];
  if (uses.length === 0) return '';
  const rows = uses
    .map((u) => `<tr><td>${escapeHtml(formatUtc(u.eventTime))}</td><td>${escapeHtml(u.eventName)}</td><td>${escapeHtml(u.account ?? '')}</td><td>${escapeHtml(u.usedBy)}</td><td>${escapeHtml(u.sourceIp)}</td></tr>`)
    .join('\n');
  return `<h4 class="post-revocation">High: access used after revocation (CloudTrail)</h4>
<table class="paths post-revocation">
<thead><tr><th>When</th><th>Call</th><th>Account</th><th>Made with</th><th>From</th></tr></thead>
<tbody>${rows}</tbody>
</table>`;
}

/** Time to revoke, or for an open leaver how long it has been open when the report was made. */
function elapsed(leaver: LeaverEvidence, generatedAt: string): string {
  if (leaver.hoursToNoAccess !== undefined) return formatHours(leaver.hoursToNoAccess);
  const hours = Math.max(0, (Date.parse(generatedAt) - Date.parse(leaver.clockStartAt)) / 3_600_000);
  return `open ${formatHours(hours)}`;
}

function overviewRow(leaver: LeaverEvidence, index: number, generatedAt: string): string {
  return `<tr class="${leaver.open ? 'is-open' : ''}">
<td>${statusBadge(leaver)}</td>
<td><a href="#leaver-${index + 1}">${escapeHtml(leaver.fullName ?? '')}</a></td>
<td>${escapeHtml(leaver.email)}</td>
<td>${escapeHtml(leaver.employeeId)}</td>
<td>${escapeHtml(formatUtc(leaver.effectiveAt))}</td>
<td>${escapeHtml(describeMarkedBy(leaver.markedBy))}</td>
<td>${escapeHtml(formatUtc(leaver.noAccessLeftAt))}</td>
<td class="num">${escapeHtml(elapsed(leaver, generatedAt))}</td>
<td>${slaBadge(leaver.sla)}</td>
</tr>`;
}

const STYLE = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { font: 13px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: #1b1b1b; margin: 24px auto; max-width: 1180px; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 2px solid #1b1b1b; padding-bottom: 3px; }
h3 { font-size: 14px; margin: 0 0 6px; }
.muted, .seq { color: #666; font-weight: normal; }
.seq { font-size: 11px; }
.meta { color: #444; margin: 0 0 12px; }
.cards { display: grid; grid-template-columns: repeat(6, 1fr); gap: 8px; margin: 12px 0; }
.card { border: 1px solid #bbb; border-radius: 6px; padding: 8px 10px; }
.card .value { font-size: 20px; font-weight: 700; }
.card .label { color: #555; font-size: 11px; text-transform: uppercase; letter-spacing: .03em; }
table { border-collapse: collapse; width: 100%; margin: 6px 0 12px; }
th, td { border: 1px solid #ccc; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f0f0f0; font-size: 12px; }
td.num { text-align: right; white-space: nowrap; }
tr.is-open td { background: #fff4e5; }
.badge { display: inline-block; border-radius: 3px; padding: 0 5px; font-size: 11px; font-weight: 700; border: 1px solid currentColor; }
.badge.open, .sla-pending { color: #b45309; }
.badge.closed, .sla-met { color: #1b5e20; }
.sla-missed { color: #b71c1c; }
.leaver { border: 1px solid #bbb; border-radius: 6px; padding: 10px 12px; margin: 12px 0; }
.leaver.is-open { border: 2px solid #ef6c00; }
.facts { display: grid; grid-template-columns: max-content 1fr max-content 1fr; gap: 2px 12px; margin: 6px 0; }
.facts dt { color: #555; }
.facts dd { margin: 0; }
.runs { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 11px; }
.rollup { columns: 2; margin: 4px 0; padding-left: 18px; }
.notes { color: #7a4a00; margin: 4px 0; padding-left: 18px; }
.error { color: #b71c1c; font-size: 11px; }
figure { margin: 8px 0; }
figcaption { color: #555; font-size: 12px; }
.chain-ok { color: #1b5e20; font-weight: 700; }
.chain-broken { color: #b71c1c; font-weight: 700; }
footer { color: #666; font-size: 11px; margin-top: 24px; border-top: 1px solid #ccc; padding-top: 6px; }
@page { size: A4 landscape; margin: 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5px; }
  a { color: inherit; text-decoration: none; }
  .leaver, figure, .cards, tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  h2 { break-after: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}`;

function chainLine(provenance: ReportProvenance): string {
  const chain = provenance.chain;
  if (chain === undefined) return '';
  if (!chain.ok) return `<p class="chain-broken">Audit chain BROKEN: ${escapeHtml(chain.problem ?? 'verification failed')}. These figures cannot be relied on.</p>`;
  const anchors = chain.anchoredBy !== undefined && chain.anchoredBy.length > 0 ? `; matches the anchor in ${chain.anchoredBy.map(escapeHtml).join(', ')}` : '';
  return `<p class="chain-ok">Audit chain verified: ${chain.entries} entries, head <code>${escapeHtml(chain.head ?? '')}</code>${anchors}.</p>`;
}

function controlsSection(provenance: ReportProvenance): string {
  if (provenance.controls === undefined || provenance.controls.length === 0) return '';
  const items = provenance.controls
    .map((c) => `<li><strong>${escapeHtml(c.title)}</strong> (${escapeHtml(c.section)}): <q>${escapeHtml(c.clause)}</q></li>`)
    .join('');
  return `<h2>Controls evidenced</h2>
<p class="meta">SOC 2 CC6.2 / CC6.3 (removal of access on termination) and ISO/IEC 27001:2022 A.5.18 (access rights) samples; company security policy:</p>
<ul class="controls">${items}</ul>`;
}

/** The leaver report as one self-contained HTML page (inline CSS and SVG, no script, nothing fetched) that prints on A4. */
export function renderLeaversHtml(report: LeaverReport, provenance: ReportProvenance = {}): string {
  const s = report.summary;
  const period = `${formatUtc(report.from)} to ${formatUtc(report.to)}`;
  const asked = provenance.period !== undefined ? `${provenance.period.from} to ${provenance.period.to} (${provenance.period.timezone})` : period;
  const cards: [string, string][] = [
    ['Leavers', String(s.leavers)],
    ['Within SLA', formatShare(s.shareWithinSla)],
    ['Median', formatHours(s.medianHours) || 'n/a'],
    ['95th percentile', formatHours(s.p95Hours) || 'n/a'],
    ['Missed SLA', String(s.missed)],
    ['Still open', String(s.open)],
  ];
  const body =
    report.leavers.length === 0
      ? '<p>No leavers with an effective time in this period.</p>'
      : `<table class="overview">
<thead><tr><th>Status</th><th>Name</th><th>Email</th><th>Employee id</th><th>Effective</th><th>Marked by</th><th>No access left</th><th>Time</th><th>Within SLA</th></tr></thead>
<tbody>${report.leavers.map((l, i) => overviewRow(l, i, report.generatedAt)).join('\n')}</tbody>
</table>`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(`Leaver access removal evidence, ${asked}`)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>Leaver access removal evidence</h1>
<p class="meta">Period (effective time): <strong>${escapeHtml(asked)}</strong>${asked !== period ? ` (${escapeHtml(period)})` : ''} · SLA: removal within <strong>${escapeHtml(formatHours(report.slaHours))}</strong> · Generated ${escapeHtml(formatUtc(report.generatedAt))}${provenance.source !== undefined ? ` from ${escapeHtml(provenance.source)}` : ''}</p>
${chainLine(provenance)}
</header>
<h2>Summary</h2>
<div class="cards" id="summary">
${cards.map(([label, value]) => `<div class="card"><div class="value" data-metric="${escapeHtml(label)}">${escapeHtml(value)}</div><div class="label">${escapeHtml(label)}</div></div>`).join('\n')}
</div>
<p class="meta">${s.closed} closed, ${s.open} open; ${s.met} within SLA, ${s.missed} missed, ${s.pending} pending (open but still inside the SLA). Share within SLA counts decided leavers only; median and 95th percentile (nearest rank) are over closed leavers.</p>
<figure>
${renderTimeToRevokeChart(report)}
<figcaption>Leavers by time from effective time to “no access left”; bars right of the dashed line missed the SLA.</figcaption>
</figure>
<h2>Leavers (open first)</h2>
${body}
${report.leavers.length > 0 ? '<h2>Per leaver: every access path, when it was closed and when a re-read verified it</h2>' : ''}
${report.leavers.map((l, i) => leaverSection(l, i, report.generatedAt)).join('\n')}
${controlsSection(provenance)}
<h2>How these figures are computed</h2>
<ul class="method">
<li>Every figure comes from the hash-chained audit log; <span class="seq">#N</span> is the audit entry (seq) that proves it: <code>warden audit query --format json</code> shows it.</li>
<li>A path is <em>closed</em> at its successful change entry and <em>verified</em> at the next re-read of that IAM user showing no access left (host paths: the host script’s own re-read).</li>
<li>“No access left” is the latest verification over all the leaver’s paths and IAM users; time to revoke runs from the effective time (end of the last working day in the configured time zone, or the time given in Slack).</li>
<li>A leaver is OPEN while any path failed, is in progress, or is not yet verified.</li>
</ul>
<footer>Warden · leaver report · ${escapeHtml(formatUtc(report.generatedAt))}</footer>
</body>
</html>
`;
}
