/** `warden report policy`: each access clause quoted, the checks behind it and their status, as HTML, Markdown or JSON. */
import type { CheckStatus, ClauseReport, ClauseStatus, PolicyReport } from '../domain/policy-checks/clauses';
import { terminalSafe } from '../domain/terminal-text';
import { escapeHtml, formatUtc } from './format';

/** Version of the JSON policy report; bumped only for breaking changes. */
export const POLICY_REPORT_JSON_VERSION = 1;

/** Principals shown per check; the count says how many there are in all. */
const MAX_PRINCIPALS = 50;

const STATUS_TEXT: Readonly<Record<ClauseStatus, string>> = { pass: 'PASS', fail: 'FAIL', 'not-applicable': 'N/A' };

export interface PolicyReportSource {
  /** Where the config came from, e.g. `/srv/warden/warden.yaml`. */
  readonly config?: string;
}

export function renderPolicyJson(report: PolicyReport, source: PolicyReportSource = {}): string {
  return `${JSON.stringify({ version: POLICY_REPORT_JSON_VERSION, ...report, ...(source.config !== undefined ? { config: source.config } : {}) }, null, 2)}\n`;
}

const shown = (principals: readonly string[]): readonly string[] => principals.slice(0, MAX_PRINCIPALS);
const more = (principals: readonly string[]): number => Math.max(0, principals.length - MAX_PRINCIPALS);

/** Markdown text safe to paste: one line per field, table pipes and markup characters escaped, control characters shown. */
const md = (text: string): string => terminalSafe(text).replace(/([\\`*_[\]|<>#])/g, '\\$1');

function mdCheck(check: CheckStatus): string {
  const lines = [`- **${STATUS_TEXT[check.status]}** ${md(check.title)} (${md(check.note)})`];
  if (check.interpretation !== undefined) lines.push(`  - *Interpretation:* ${md(check.interpretation)}`);
  if (check.failing > 0) {
    const names = shown(check.principals).map(md).join(', ');
    lines.push(`  - ${check.failing} failing (findings or pending changes): ${names}${more(check.principals) > 0 ? ` and ${more(check.principals)} more` : ''}`);
  }
  return lines.join('\n');
}

export function renderPolicyMarkdown(report: PolicyReport, source: PolicyReportSource = {}): string {
  const s = report.summary;
  const clause = (c: ClauseReport, i: number): string =>
    [`## ${i + 1}. ${STATUS_TEXT[c.status]}: ${md(c.title)}`, '', `*${md(c.section)}*`, '', `> ${md(c.clause)}`, '', ...c.checks.map(mdCheck), ''].join('\n');
  return [
    '# Security policy: access clauses',
    '',
    `Generated ${formatUtc(report.generatedAt)}${source.config !== undefined ? ` from ${md(source.config)}` : ''}. ` +
      `${s.pass} pass, ${s.fail} fail, ${s.notApplicable} not applicable, of ${s.clauses} clauses.`,
    '',
    '| # | Clause | Section | Status |',
    '|---|---|---|---|',
    ...report.clauses.map((c, i) => `| ${i + 1} | ${md(c.title)} | ${md(c.section)} | ${STATUS_TEXT[c.status]} |`),
    '',
    ...report.clauses.map(clause),
  ].join('\n');
}

const badge = (status: ClauseStatus): string => `<span class="badge ${status}">${STATUS_TEXT[status]}</span>`;

function htmlCheck(check: CheckStatus): string {
  const principals =
    check.failing > 0
      ? `<details${check.principals.length <= 10 ? ' open' : ''}><summary>${check.failing} failing (findings or pending changes), ${check.principals.length} principals</summary><ul class="principals">${shown(check.principals)
          .map((p) => `<li>${escapeHtml(p)}</li>`)
          .join('')}${more(check.principals) > 0 ? `<li class="muted">and ${more(check.principals)} more</li>` : ''}</ul></details>`
      : '';
  return `<li class="check ${check.status}" data-check="${escapeHtml(check.id)}">${badge(check.status)} ${escapeHtml(check.title)} <span class="muted">(${escapeHtml(check.note)})</span>
${check.interpretation !== undefined ? `<div class="interpretation"><strong>Interpretation:</strong> ${escapeHtml(check.interpretation)}</div>` : ''}${principals}</li>`;
}

function htmlClause(clause: ClauseReport, index: number): string {
  return `<section class="clause ${clause.status}" id="clause-${escapeHtml(clause.id)}">
<h2>${badge(clause.status)} ${index + 1}. ${escapeHtml(clause.title)} <span class="muted">${escapeHtml(clause.section)}</span></h2>
<blockquote>${escapeHtml(clause.clause)}</blockquote>
<ul class="checks">${clause.checks.map(htmlCheck).join('\n')}</ul>
</section>`;
}

const CSS = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;color:#1d2329;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.1rem;margin:.2rem 0}
.muted{color:#5c6670}.summary{display:flex;gap:1rem;margin:1rem 0}.summary div{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem}
.summary strong{display:block;font-size:1.5rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{border-bottom:1px solid #d0d7de;padding:.35rem .5rem;text-align:left;vertical-align:top}
.clause{border:1px solid #d0d7de;border-left-width:6px;border-radius:6px;padding:.8rem 1rem;margin:1rem 0;break-inside:avoid}
.clause.fail{border-left-color:#cf222e}.clause.pass{border-left-color:#1a7f37}.clause.not-applicable{border-left-color:#8c959f}
blockquote{margin:.5rem 0;padding:.3rem .8rem;border-left:3px solid #d0d7de;color:#3b434b;font-style:italic}
.badge{display:inline-block;font-size:.75rem;font-weight:700;border-radius:4px;padding:.05rem .4rem;color:#fff}
.badge.pass{background:#1a7f37}.badge.fail{background:#cf222e}.badge.not-applicable{background:#8c959f}
.checks{list-style:none;padding-left:0}.check{margin:.4rem 0}.interpretation{font-size:.9rem;color:#5c6670;margin:.2rem 0 0 2.6rem}
details{margin:.2rem 0 0 2.6rem}.principals{columns:2;margin:.2rem 0}
@media print{body{margin:0;max-width:none}details{display:block}}`;

/** Self-contained HTML (inline styles, no scripts, no external resources), printable to PDF. */
export function renderPolicyHtml(report: PolicyReport, source: PolicyReportSource = {}): string {
  const s = report.summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>Security policy: access clauses — ${escapeHtml(formatUtc(report.generatedAt))}</title>
<style>${CSS}</style></head>
<body>
<h1>Security policy: access clauses</h1>
<p class="muted">Generated ${escapeHtml(formatUtc(report.generatedAt))}${source.config !== undefined ? ` from ${escapeHtml(source.config)}` : ''} by a dry run: nothing was changed.
Each clause is quoted from the company security policy with the checks Warden runs for it; where reading the clause as a check is Warden's interpretation, the check says so.</p>
<div class="summary"><div><strong id="count-pass">${s.pass}</strong>pass</div><div><strong id="count-fail">${s.fail}</strong>fail</div><div><strong id="count-na">${s.notApplicable}</strong>not applicable</div><div><strong>${s.findings}</strong>findings in the plan</div></div>
<table><thead><tr><th>#</th><th>Clause</th><th>Section</th><th>Status</th></tr></thead><tbody>
${report.clauses.map((c, i) => `<tr><td>${i + 1}</td><td><a href="#clause-${escapeHtml(c.id)}">${escapeHtml(c.title)}</a></td><td>${escapeHtml(c.section)}</td><td>${badge(c.status)}</td></tr>`).join('\n')}
</tbody></table>
${report.clauses.map(htmlClause).join('\n')}
</body></html>
`;
}
