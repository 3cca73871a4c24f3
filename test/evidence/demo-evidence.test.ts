import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { parse as parseCsv } from 'csv-parse/sync';
import { SqliteAuditLog } from '../../src/adapters/audit/sqlite-audit-log';
import { SqliteSnapshotStore } from '../../src/adapters/evidence/sqlite-snapshot-store';
import { accessAtTime, leaverReport, personAccessHistory } from '../../src/app/evidence';
import { runAuditAccess, runAuditVerifyAnchored } from '../../src/cli/commands/audit-access';
import { runReportLeavers } from '../../src/cli/commands/report';
import type { AuditEntry } from '../../src/ports';
import { createCapturingIo, runDemoFlow, type DemoFlow } from './demo-flow';

const HOUR = 3_600_000;
const SLA_HOURS = 24;

let demo: DemoFlow;

beforeAll(async () => {
  demo = await runDemoFlow();
});

afterAll(() => {
  demo.cleanup();
});

async function allEntries(): Promise<readonly AuditEntry[]> {
  const log = SqliteAuditLog.open(demo.dbPath);
  try {
    return await log.query({});
  } finally {
    log.close();
  }
}

/**
 * The report's numbers recomputed the simple way, straight from the entries: per leaver, the last
 * `verified` entry about them minus their effective time, every outcome about them being ok.
 */
function recompute(entries: readonly AuditEntry[]) {
  const leavers = new Map<string, { effectiveAt: string }>();
  for (const e of entries) {
    if (e.action === 'leaver.revocation' && e.person !== undefined) leavers.set(e.person, { effectiveAt: (e.after as { effectiveAt: string }).effectiveAt });
  }
  const rows = [...leavers].map(([person, { effectiveAt }]) => {
    const mine = entries.filter((e) => e.person === person && e.reason === 'departed');
    // Events about the leaver (what was planned, their sessions) are not outcomes of a change.
    const outcomes = mine.filter((e) => ['ok', 'failed', 'skipped'].includes(e.result) && e.action !== 'leaver.revocation' && e.action !== 'leaver.sessions');
    const verified = mine.filter((e) => e.action === 'verify' && e.result === 'verified');
    const allOk = outcomes.length > 0 && outcomes.every((e) => e.result === 'ok');
    const everyTargetVerified = outcomes.every((o) => verified.some((v) => v.target === o.target && v.seq > o.seq));
    const lastVerified = Math.max(...verified.map((v) => Date.parse(v.at)));
    const hours = (lastVerified - Date.parse(effectiveAt)) / HOUR;
    return { email: person.split(' ')[0] as string, closed: allOk && everyTargetVerified, hours, within: hours <= SLA_HOURS, paths: outcomes.length };
  });
  const hours = rows.map((r) => r.hours).sort((a, b) => a - b);
  const mid = hours.length / 2;
  return {
    rows,
    count: rows.length,
    share: rows.filter((r) => r.within).length / rows.length,
    median: hours.length % 2 === 1 ? (hours[Math.floor(mid)] as number) : ((hours[mid - 1] as number) + (hours[mid] as number)) / 2,
    p95: hours[Math.ceil(0.95 * hours.length) - 1] as number,
  };
}

describe('leaver report on the demo data', () => {
  const window = () => ({ from: new Date(demo.now.getTime() - 60 * 24 * HOUR), to: new Date(demo.now.getTime() + 24 * HOUR), slaHours: SLA_HOURS, now: new Date() });

  it('agrees with the audit entries, recomputed independently', async () => {
    const entries = await allEntries();
    const log = SqliteAuditLog.open(demo.dbPath);
    const report = await leaverReport(log, window());
    log.close();
    const expected = recompute(entries);

    // The demo roster's departed people whose end date has passed (Dan leaves next week).
    const roster = parseCsv(demo.rosterCsv, { columns: true }) as { email: string; status: string; end_date: string }[];
    const departed = roster.filter((r) => r.status === 'departed' && Date.parse(r.end_date) < demo.now.getTime()).map((r) => r.email);
    expect(report.leavers.map((l) => l.email).sort()).toEqual([...departed].sort());

    expect(report.summary.leavers).toBe(expected.count);
    expect(report.summary.shareWithinSla).toBeCloseTo(expected.share, 10);
    expect(report.summary.medianHours).toBeCloseTo(expected.median, 10);
    expect(report.summary.p95Hours).toBeCloseTo(expected.p95, 10);
    for (const row of expected.rows) {
      const leaver = report.leavers.find((l) => l.email === row.email);
      expect(leaver).toBeDefined();
      expect(leaver?.open).toBe(!row.closed);
      expect(leaver?.hoursToNoAccess).toBeCloseTo(row.hours, 10);
      expect(leaver?.sla).toBe(row.within ? 'met' : 'missed');
      expect(leaver?.paths).toHaveLength(row.paths);
    }
    const bob = report.leavers.find((l) => l.email === 'bob@example.com');
    expect(new Set(bob?.paths.map((p) => p.category))).toEqual(new Set(['access-keys', 'console', 'ssh-keys', 'groups', 'deny-all', 'other-credentials', 'role-sessions']));
    // The role path is verified by the role's own re-read, never by the user's.
    const rolePath = bob?.paths.find((p) => p.category === 'role-sessions');
    const userPath = bob?.paths.find((p) => p.category === 'access-keys');
    expect(rolePath?.verifiedSeq).toBeGreaterThan(userPath?.verifiedSeq ?? Infinity);
    expect(bob?.sessions).toEqual([expect.objectContaining({ userName: 'bob', status: 'may-live-until', verified: true })]);
    expect(bob?.markedBy).toEqual({ kind: 'hr-file', file: 'roster.csv' });
  });

  it('writes HTML, CSV and JSON from the command, with the same numbers', async () => {
    const io = createCapturingIo(demo.dir);
    const from = new Date(demo.now.getTime() - 60 * 24 * HOUR).toISOString().slice(0, 10);
    const to = new Date(demo.now.getTime() + 24 * HOUR).toISOString().slice(0, 10);
    const codes = [];
    for (const format of ['html', 'csv', 'json'] as const) {
      codes.push(await runReportLeavers(io, { config: demo.configPath, from, to, out: `out/leavers.${format}` }));
    }
    const json = JSON.parse(readFileSync(path.join(demo.dir, 'out/leavers.json'), 'utf8')) as { version: number; summary: { leavers: number; shareWithinSla: number }; chain: { ok: boolean; anchoredBy: string[] } };
    const csv = parseCsv(readFileSync(path.join(demo.dir, 'out/leavers.csv'), 'utf8'), { columns: true }) as Record<string, string>[];
    const html = readFileSync(path.join(demo.dir, 'out/leavers.html'), 'utf8');
    const expected = recompute(await allEntries());

    expect(codes).toEqual([0, 0, 0]);
    expect(json.version).toBe(1);
    expect(json.summary.leavers).toBe(expected.count);
    expect(json.chain).toMatchObject({ ok: true, anchoredBy: [`file ${demo.anchorPath}`] });
    expect(csv.map((r) => [r['email'], r['within_sla']]).sort()).toEqual(expected.rows.map((r) => [r.email, r.within ? 'yes' : 'no']).sort());
    expect(csv.map((r) => r['status'])).toEqual(expected.rows.map(() => 'closed'));
    expect(csv.find((r) => r['email'] === 'bob@example.com')?.['access-keys_verified_at']).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    expect(html).toContain(`${expected.count}</div><div class="label">Leavers`);
    expect(html).toContain('Audit chain verified');
    expect(io.err()).toContain('Wrote CSV leaver report');
  });
});

describe('point-in-time access on the demo data', () => {
  const between = (): Date => new Date((demo.before.startedAt.getTime() + demo.after.startedAt.getTime()) / 2);

  it('answers who could get in before and after the revocation run', async () => {
    const store = SqliteSnapshotStore.open(demo.dbPath);
    try {
      const then = await accessAtTime(store, between(), { group: 'developers' });
      const now = await accessAtTime(store, new Date(), { group: 'developers' });
      const bobThen = then.rows.find((r) => r.key === 'iam/111122223333/bob');

      expect(then.snapshot?.runId).toBe(demo.before.runId);
      expect(bobThen).toMatchObject({ canGetIn: true });
      expect(bobThen?.record.person).toEqual({ employeeId: 'E002', email: 'bob@example.com' });
      expect(now.snapshot?.runId).toBe(demo.after.runId);
      expect(now.rows.find((r) => r.key === 'iam/111122223333/bob')).toBeUndefined();
      expect((await accessAtTime(store, new Date(demo.before.startedAt.getTime() - 1))).snapshot).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it("lists what a leaver held over time, closed by the revocation run", async () => {
    const store = SqliteSnapshotStore.open(demo.dbPath);
    try {
      const history = await personAccessHistory(store, 'bob@example.com');
      const console = history.holdings.find((h) => h.description === 'console password');
      const getIn = history.holdings.find((h) => h.held.kind === 'could-get-in');

      expect(console).toMatchObject({ firstSeen: demo.before.startedAt.toISOString(), goneBy: demo.after.startedAt.toISOString() });
      expect(getIn?.goneBy).toBe(demo.after.startedAt.toISOString());
      expect(history.holdings.find((h) => h.description === 'managed policy warden-deny-all')).toMatchObject({ firstSeen: demo.after.startedAt.toISOString() });
      expect(history.holdings.find((h) => h.description === 'managed policy warden-deny-all')?.goneBy).toBeUndefined();
    } finally {
      store.close();
    }
  });

  it('serves `warden audit access` in table, JSON and CSV', async () => {
    const io = createCapturingIo(demo.dir);
    const at = between().toISOString();
    expect(await runAuditAccess(io, { config: demo.configPath, at, group: 'developers', format: 'table' })).toBe(0);
    expect(await runAuditAccess(io, { config: demo.configPath, person: 'bob@example.com', format: 'csv' })).toBe(0);
    expect(await runAuditAccess(io, { config: demo.configPath, at, account: '111122223333', format: 'json' })).toBe(0);
    const out = io.out();

    expect(out).toContain(`snapshot #1 of ${demo.before.runId}`);
    expect(out).toMatch(/111122223333\/bob\s+bob@example.com \(E002\)\s+yes/);
    expect(out).toContain('principal,held,first seen,last seen,gone by');
    expect(out).toContain('console password');
    await expect(runAuditAccess(io, { config: demo.configPath, format: 'table' })).rejects.toThrow(/--at DATE/);

    // After the revocation run, the leaver's live role sessions as that run recorded them.
    const later = createCapturingIo(demo.dir);
    expect(await runAuditAccess(later, { config: demo.configPath, at: new Date(Date.now() + 60_000).toISOString(), person: 'bob@example.com', format: 'table' })).toBe(0);
    expect(later.out()).toMatch(/Leavers' role sessions:\n {2}111122223333\/bob: sessions (may live until|expired by) /);
  });
});

describe('warden audit verify with the anchor beside the database', () => {
  it('passes the demo log, then catches a truncated tail the chain alone cannot', async () => {
    const io = createCapturingIo(demo.dir);
    expect(await runAuditVerifyAnchored(io, { config: demo.configPath })).toBe(0);
    expect(io.out()).toMatch(/anchor in file .*reached/);

    const raw = new Database(demo.dbPath);
    raw.exec('DROP TRIGGER audit_entries_no_delete;');
    const last = (raw.prepare('SELECT MAX(seq) AS n FROM audit_entries').get() as { n: number }).n;
    raw.prepare('DELETE FROM audit_entries WHERE seq > ?').run(last - 2);
    raw.close();

    const after = createCapturingIo(demo.dir);
    expect(await runAuditVerifyAnchored(after, { config: demo.configPath })).toBe(4);
    expect(after.out()).toContain('truncated tail');
  });
});
