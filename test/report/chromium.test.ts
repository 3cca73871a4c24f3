import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import { leaverReport } from '../../src/app/evidence';
import type { LeaverReport } from '../../src/domain/evidence/leavers';
import { formatHours, formatShare, renderLeaversHtml } from '../../src/report';
import { runDemoFlow, type DemoFlow } from '../evidence/demo-flow';
import { chooseBrowser, launchBrowser, type BrowserChoice } from './browser';
import { createDummyReport } from './fixtures';
import type { Browser } from 'puppeteer-core';

let root: string;
let choice: BrowserChoice;
let browser: Browser | undefined;
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

/** Renders a local file in the headless browser (no network, its own profile): DOM after load, a screenshot and a PDF. */
async function render(name: string, html: string): Promise<Rendered> {
  const file = path.join(root, `${name}.html`);
  writeFileSync(file, html);
  const png = path.join(root, `${name}.png`);
  const pdf = path.join(root, `${name}.pdf`);
  const page = await (browser as Browser).newPage();
  try {
    await page.setViewport({ width: 1280, height: 2000 });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
    const dom = await page.content();
    await page.screenshot({ path: png, type: 'png' });
    await page.pdf({ path: pdf, displayHeaderFooter: false, printBackground: true });
    return { dom, png, pdf };
  } finally {
    await page.close();
  }
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(file: string): { width: number; height: number } {
  const bytes = readFileSync(file);
  expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))).toBe(true);
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'warden-chromium-'));
  choice = chooseBrowser(path.join(root, 'profile'));
  browser = await launchBrowser(choice);
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
  demoPage = await render('demo', renderLeaversHtml(demoReport, { source: 'demo audit log' }));
  openPage = await render('open', renderLeaversHtml(await createDummyReport()));
}, 90_000);

afterAll(async () => {
  await browser?.close();
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

describe('which browser the report tests use', () => {
  let bin: string;
  beforeAll(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'warden-fake-path-'));
  });
  afterAll(() => rmSync(bin, { recursive: true, force: true }));

  it('is the one CHROMIUM_PATH names, and a CHROMIUM_PATH that does not exist fails instead of testing another', () => {
    expect(chooseBrowser(path.join(bin, 'p1'), { CHROMIUM_PATH: process.execPath, PATH: '' })).toMatchObject({ source: 'CHROMIUM_PATH', executablePath: process.execPath });
    expect(() => chooseBrowser(path.join(bin, 'p2'), { CHROMIUM_PATH: path.join(bin, 'no-such-chromium'), PATH: '' })).toThrow(/no such browser/);
  });

  it('is a system chromium on PATH when there is one', () => {
    const fake = path.join(bin, 'chromium');
    writeFileSync(fake, '#!/bin/sh\n', { mode: 0o755 });
    expect(chooseBrowser(path.join(bin, 'p3'), { PATH: `/nonexistent${path.delimiter}${bin}` })).toMatchObject({ source: 'system', executablePath: fake });
    rmSync(fake);
  });

  it('is the Chromium inside the @sparticuz/chromium package when no system browser is on PATH', () => {
    const chosen = chooseBrowser(path.join(bin, 'p4'), { PATH: bin });

    expect(chosen.source).toBe('@sparticuz/chromium');
    expect(statSync(chosen.executablePath).size).toBeGreaterThan(10_000_000);
    expect(chosen.launch.args).toContain('--no-sandbox');
    expect(chosen.launch.args).toContain('--disable-background-networking');
  });
});
