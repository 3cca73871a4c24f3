import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import { leaverReport } from '../../src/app/evidence';
import type { LeaverReport } from '../../src/domain/evidence/leavers';
import { formatHours, formatShare, renderLeaversHtml } from '../../src/report';
import { runDemoFlow, type DemoFlow } from '../evidence/demo-flow';
import { createDummyReport } from './fixtures';

/** Debian's `chromium` package (CI installs it too); CHROMIUM_PATH overrides. */
function findChromium(): string {
  const candidates = [process.env['CHROMIUM_PATH'], 'chromium', 'chromium-browser', 'google-chrome'].filter((c): c is string => c !== undefined && c !== '');
  for (const candidate of candidates) {
    if (candidate.includes('/') ? existsSync(candidate) : spawnSync('which', [candidate]).status === 0) return candidate;
  }
  throw new Error('headless Chromium not found: apt-get install -y chromium (Debian), or set CHROMIUM_PATH');
}

let root: string;
let chromium: string;
let demo: DemoFlow | undefined;
let demoReport: LeaverReport;

/** What one headless Chromium run produced for a page: its DOM after load, a screenshot and a PDF. */
interface Rendered {
  readonly dom: string;
  readonly png: string;
  readonly pdf: string;
}
let demoPage: Rendered;
let openPage: Rendered;

/** Renders a local file once in headless Chromium (no network, its own profile), dumping DOM, screenshot and PDF together. */
function render(name: string, html: string): Promise<Rendered> {
  const file = path.join(root, `${name}.html`);
  writeFileSync(file, html);
  const png = path.join(root, `${name}.png`);
  const pdf = path.join(root, `${name}.pdf`);
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    '--hide-scrollbars',
    `--user-data-dir=${path.join(root, `profile-${name}`)}`,
    '--window-size=1280,2000',
    `--screenshot=${png}`,
    `--print-to-pdf=${pdf}`,
    '--no-pdf-header-footer',
    '--dump-dom',
    pathToFileURL(file).href,
  ];
  return new Promise((resolve, reject) => {
    execFile(chromium, args, { timeout: 60_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`chromium failed: ${error.message}\n${stderr}`));
      else resolve({ dom: stdout, png, pdf });
    });
  });
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

beforeAll(async () => {
  chromium = findChromium();
  root = mkdtempSync(path.join(tmpdir(), 'warden-chromium-'));
  demo = await runDemoFlow();
  const log = SqliteAuditLog.open(demo.dbPath);
  try {
    demoReport = await leaverReport(log, {
      from: new Date(demo.now.getTime() - 60 * 86_400_000),
      to: new Date(demo.now.getTime() + 86_400_000),
      slaHours: 24,
      now: new Date(),
    });
  } finally {
    log.close();
  }
  [demoPage, openPage] = await Promise.all([
    render('demo', renderLeaversHtml(demoReport, { source: 'demo audit log' })),
    render('open', renderLeaversHtml(await createDummyReport())),
  ]);
}, 90_000);

afterAll(() => {
  demo?.cleanup();
  // WARDEN_KEEP_SCREENSHOTS=1 keeps the pages, PNGs and PDFs for a person to look at.
  if (root !== undefined && process.env['WARDEN_KEEP_SCREENSHOTS'] !== '1') rmSync(root, { recursive: true, force: true });
});

describe('the HTML leaver report in headless Chromium', () => {
  it('renders the demo report: summary numbers and the SVG chart are in the DOM', () => {
    const dom = demoPage.dom;
    const s = demoReport.summary;

    expect(dom).toContain('id="time-to-revoke-chart"');
    expect(dom.match(/<rect class="bar /g)?.length).toBe(8);
    expect(dom).toContain(`data-metric="Leavers">${s.leavers}<`);
    expect(dom).toContain(`data-metric="Within SLA">${formatShare(s.shareWithinSla)}<`);
    expect(dom).toContain(`data-metric="Median">${formatHours(s.medianHours)}<`);
    expect(dom).toContain(`data-metric="95th percentile">${formatHours(s.p95Hours)}<`);
    for (const leaver of demoReport.leavers) expect(dom).toContain(leaver.email);
  });

  it('takes a non-trivial screenshot of the demo report', () => {
    expect(pngSize(demoPage.png)).toEqual({ width: 1280, height: 2000 });
    // A blank 1280x2000 page compresses to a few KB; text, tables and the chart take far more.
    expect(statSync(demoPage.png).size).toBeGreaterThan(40_000);
  });

  it('prints to PDF', () => {
    const bytes = readFileSync(demoPage.pdf);

    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.length).toBeGreaterThan(20_000);
  });

  it('keeps hostile names as text and shows the open leaver first', () => {
    const dom = openPage.dom;

    expect(dom).not.toMatch(/<script/i);
    expect(dom).toContain('&lt;script&gt;alert(1)&lt;/script&gt; Mallory');
    expect(dom.indexOf('mallory@example.com')).toBeLessThan(dom.indexOf('ana@example.com'));
    expect(dom).toContain('<span class="badge open">OPEN</span>');
    expect(pngSize(openPage.png).width).toBe(1280);
  });
});
