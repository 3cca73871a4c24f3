import { buildPolicyReport } from '../../src/domain/policy-checks/clauses';
import type { Finding, Plan } from '../../src/domain/plan';
import { renderPolicyHtml, renderPolicyJson, renderPolicyMarkdown } from '../../src/report/policy';

// A principal name written by a hostile leaver: markup, a Markdown link, a table pipe, an ANSI erase and a bidi override.
const HOSTILE = 'evil<script>alert(1)</script>[x](http://e.vil)|\u001b[2K\u202e';

function report() {
  const findings: Finding[] = [
    { kind: 'orphan-user', severity: 'medium', control: 'account-ownership', account: '111111111111', userName: HOSTILE, detail: 'x' },
    ...Array.from({ length: 60 }, (_, i): Finding => ({ kind: 'no-mfa', severity: 'medium', control: 'credential-hygiene', account: '1', userName: `u${String(i).padStart(2, '0')}`, detail: 'x' })),
  ];
  const plan: Plan = {
    version: 1,
    generatedAt: '2026-11-26T12:00:00.000Z',
    actions: [],
    findings,
    errors: [],
    guard: { tripped: false, reasons: [] },
    summary: { actions: 0, findings: findings.length, people: 1, iamUsers: 61 },
  };
  return buildPolicyReport({ plan, runs: [], chain: { ok: true, entries: 1 } });
}

describe('policy report renderers', () => {
  it('HTML shows hostile names as text: no markup, no control characters, no external resource', () => {
    const html = renderPolicyHtml(report());
    expect(html).not.toContain('<script>');
    expect(html).toContain('evil&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html.includes('\u001b') || html.includes('\u202e')).toBe(false);
    expect(html).toContain('\\u001b[2K\\u202e');
    expect(html).toContain("default-src 'none'");
    expect(html).not.toMatch(/<(script|img|link|iframe)\b/);
  });

  it('Markdown escapes what would become a link, a table cell or markup, and shows control characters', () => {
    const md = renderPolicyMarkdown(report());
    expect(md).not.toContain('[x](http://e.vil)');
    expect(md).toContain('evil\\<script\\>alert(1)\\</script\\>\\[x\\](http://e.vil)\\|\\\\u001b\\[2K\\\\u202e');
    expect(md.includes('\u001b') || md.includes('\u202e')).toBe(false);
  });

  it('lists at most 50 principals per check and says how many more', () => {
    expect(renderPolicyMarkdown(report())).toContain('and 10 more');
    expect(renderPolicyHtml(report())).toContain('and 10 more');
  });

  it('JSON is versioned and round-trips the report', () => {
    const parsed = JSON.parse(renderPolicyJson(report(), { config: '/etc/warden.yaml' })) as { version: number; config: string; clauses: unknown[] };
    expect(parsed).toMatchObject({ version: 1, config: '/etc/warden.yaml' });
    expect(parsed.clauses).toHaveLength(12);
  });
});
