import { parse as parseCsv } from 'csv-parse/sync';
import { chartBuckets, escapeHtml, formatHours, renderLeaversCsv, renderLeaversHtml, renderLeaversJson, renderTimeToRevokeChart } from '../../src/report';
import { CONTROLS } from '../../src/domain/controls';
import { createDummyReport } from './fixtures';

describe('leaver report rendering', () => {
  it('escapes every value it prints and loads nothing from elsewhere', async () => {
    const html = renderLeaversHtml(await createDummyReport(), { source: 'SQLite <db>', controls: [CONTROLS['offboarding-24h']] });

    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Mallory');
    expect(html).toContain('SQLite &lt;db&gt;');
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
    expect(html).toContain("default-src 'none'");
    expect(html).toContain('<svg xmlns="http://www.w3.org/2000/svg" id="time-to-revoke-chart"');
    expect(html).toContain('@media print');
    expect(html).toContain(escapeHtml(CONTROLS['offboarding-24h'].clause));
  });

  it('lists open leavers first and marks them', async () => {
    const report = await createDummyReport();
    const html = renderLeaversHtml(report);

    expect(report.leavers.map((l) => [l.email, l.open, l.sla])).toEqual([
      ['mallory@example.com', true, 'missed'],
      ['ana@example.com', false, 'met'],
    ]);
    const overview = html.slice(html.indexOf('<table class="overview">'));
    expect(overview.indexOf('mallory@example.com')).toBeLessThan(overview.indexOf('ana@example.com'));
    expect(html).toContain('<section class="leaver is-open" id="leaver-1">');
    expect(html).toContain('<span class="badge open">OPEN</span>');
    expect(html).toContain('Slack user U0HR1');
    expect(html).toContain('Throttling: Rate exceeded');
    expect(html).toContain('<td class="num">open 29 h</td>');
  });

  it('writes a CSV a spreadsheet opens without running formulas', async () => {
    const csv = renderLeaversCsv(await createDummyReport());
    const rows = parseCsv(csv, { columns: true }) as Record<string, string>[];

    expect(rows.map((r) => r['employee_id'])).toEqual([`'=HYPERLINK("http://evil")`, 'E7']);
    expect(rows.every((row) => Object.values(row).every((cell) => !/^[=+\-@]/.test(cell)))).toBe(true);
    expect(rows[0]).toMatchObject({ status: 'OPEN', within_sla: 'no', 'access-keys_closed_at': 'open' });
    expect(rows[1]).toMatchObject({ status: 'closed', within_sla: 'yes', marked_by: 'Slack user U0HR1', 'access-keys_closed_at': '' });
    expect(rows[1]?.['groups_verified_at']).toMatch(/^2026-11-20T02:1\d/);
    expect(csv.endsWith('\r\n')).toBe(true);
  });

  it('writes versioned JSON with every path and its audit seqs', async () => {
    const json = JSON.parse(renderLeaversJson(await createDummyReport())) as { version: number; leavers: { paths: { closedSeq?: number }[] }[] };

    expect(json.version).toBe(1);
    expect(json.leavers[1]?.paths.every((p) => typeof p.closedSeq === 'number')).toBe(true);
  });

  it('buckets times against the SLA and counts open leavers apart', async () => {
    const report = await createDummyReport();
    const buckets = chartBuckets(report);
    const svg = renderTimeToRevokeChart(report);

    expect(buckets.map((b) => b.label)).toEqual(['≤ 1 h', '1–4 h', '4–8 h', '8–24 h', '24–48 h', '2–7 d', '> 7 d', 'still open']);
    expect(buckets.map((b) => b.count)).toEqual([0, 1, 0, 0, 0, 0, 0, 1]);
    expect(buckets.map((b) => b.tone)).toEqual(['within', 'within', 'within', 'within', 'over', 'over', 'over', 'open']);
    expect(svg.match(/<rect class="bar /g)).toHaveLength(8);
    expect(svg).toContain('SLA 24 h');
  });

  it('formats durations for people', () => {
    expect([0.5, 1, 2.25, 47.9, 48, 956.1].map(formatHours)).toEqual(['30 min', '1 h', '2.3 h', '47.9 h', '2 d', '39.8 d']);
  });
});
