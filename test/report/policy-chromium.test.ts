import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { buildPolicyReport, type PolicyReport } from '../../src/domain/policy-checks/clauses';
import type { Finding } from '../../src/domain/plan';
import { renderPolicyHtml } from '../../src/report/policy';
import { chooseBrowser, launchBrowser } from './browser';

let root: string;
let browser: Browser | undefined;
let report: PolicyReport;
let dom: string;
let texts: { clauses: number; failBadges: number; requests: string[] };
let pdf: Buffer;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'warden-policy-chromium-'));
  browser = await launchBrowser(chooseBrowser(path.join(root, 'profile')));
  const findings: Finding[] = [
    { kind: 'session-too-long', severity: 'medium', control: 'session-timeouts', account: '111122223333', userName: 'role/EngineerConsole', detail: 'x' },
    { kind: 'joiner-without-acceptance', severity: 'high', control: 'joiner-acceptance', person: { employeeId: 'E9', email: '<img src=x onerror=alert(1)>@example.com' }, detail: 'x' },
  ];
  report = buildPolicyReport({
    plan: { version: 1, generatedAt: '2026-11-26T12:00:00.000Z', actions: [], findings, errors: [], guard: { tripped: false, reasons: [] }, summary: { actions: 0, findings: 2, people: 9, iamUsers: 9 } },
    runs: [],
    chain: { ok: true, entries: 3 },
  });
  const file = path.join(root, 'policy.html');
  writeFileSync(file, renderPolicyHtml(report, { config: '/srv/warden/warden.yaml' }));
  const page = await browser.newPage();
  const requests: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  try {
    await page.setViewport({ width: 1280, height: 2000 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
    dom = await page.content();
    // Counted in the DOM Chromium built after load (its serialisation), not in the file Warden wrote.
    texts = {
      clauses: (dom.match(/<section class="clause /g) ?? []).length,
      failBadges: (dom.match(/<h2><span class="badge fail">/g) ?? []).length,
      requests,
    };
    const pdfPath = path.join(root, 'policy.pdf');
    await page.pdf({ path: pdfPath, printBackground: true });
    pdf = readFileSync(pdfPath);
  } finally {
    await page.close();
  }
}, 90_000);

afterAll(async () => {
  await browser?.close();
  if (root !== undefined && process.env['WARDEN_KEEP_SCREENSHOTS'] !== '1') rmSync(root, { recursive: true, force: true });
});

describe('the HTML policy report in headless Chromium', () => {
  it('shows every clause with its status, the counts matching the report', () => {
    expect(texts.clauses).toBe(12);
    expect(texts.failBadges).toBe(report.summary.fail);
    expect(report.summary.fail).toBe(2);
    expect(dom).toContain(`id="count-pass">${report.summary.pass}<`);
    expect(dom).toContain('Session timeouts are kept in accordance with the best business practices.');
  });

  it('loads nothing but itself and keeps hostile names as text', () => {
    expect(texts.requests.filter((url) => !url.startsWith('file:'))).toEqual([]);
    expect(dom).not.toMatch(/<img/i);
    expect(dom).toContain('&lt;img src=x onerror=alert(1)&gt;@example.com');
  });

  it('prints to PDF', () => {
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
  });
});
