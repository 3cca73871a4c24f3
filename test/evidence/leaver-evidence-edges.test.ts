import { buildLeaverReport, categoriesOf, describeMarkedBy, parseAuditPerson, parseMarkedBy } from '../../src/domain/evidence/leavers';
import { AuditScript, HOUR, createDummyPersonRef, reportOptions } from './builders';

/*
 * What an auditor reads off the leaver report, pinned at its edges: which verdict stands when
 * verifications disagree, when a path counts as closed again after a failure, which leavers fall in
 * the reporting window, the notes that explain an odd clock, and the per-category roll-up.
 */

const bob = createDummyPersonRef();
const ann = createDummyPersonRef({ employeeId: 'E7', email: 'ann@example.com' });

const options = reportOptions;

describe('leaver evidence at its edges', () => {
  it('a good verification followed by a failed one leaves the user open, with the failure as the last word', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-login-profile', bob, 'bob');
    await script.verify(bob, 'bob', true);
    await script.later(HOUR).verify(bob, 'bob', false);

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver?.open).toBe(true);
    expect(leaver?.noAccessLeftAt).toBeUndefined();
    expect(leaver?.users).toEqual([{ account: '111122223333', userName: 'bob', lastResult: 'failed', error: 'access key AKIA1 active' }]);
    expect(leaver?.notes).toContain('verification of bob failed: access key AKIA1 active');
  });

  it('"no access left" dates from the first of the final run of good verdicts, not the first ever', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-login-profile', bob, 'bob');
    await script.verify(bob, 'bob', true);
    await script.later(HOUR).verify(bob, 'bob', false);
    const good = await script.later(HOUR).verify(bob, 'bob', true);
    await script.later(HOUR).verify(bob, 'bob', true);

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver?.users[0]).toMatchObject({ lastResult: 'no-access-left', noAccessLeftAt: good.at, verifiedSeq: good.seq });
    expect(leaver?.users[0]?.error).toBeUndefined();
    expect(leaver?.noAccessLeftAt).toBe(good.at);
  });

  it('a verification before the path closed does not verify it; a failure after success reopens it, a later success closes it', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.verify(bob, 'bob', true);
    await script.action('delete-login-profile', bob, 'bob');

    let [leaver] = buildLeaverReport(await script.entries(), options()).leavers;
    expect(leaver?.paths[0]).toMatchObject({ status: 'closed', attempts: 1 });
    expect(leaver?.paths[0]?.verifiedAt).toBeUndefined();
    expect(leaver?.open).toBe(true);

    await script.later(HOUR).action('delete-login-profile', bob, 'bob', {}, 'failed');
    [leaver] = buildLeaverReport(await script.entries(), options()).leavers;
    expect(leaver?.paths[0]).toMatchObject({ status: 'failed', attempts: 2, error: 'Throttling: Rate exceeded' });
    expect(leaver?.paths[0]?.closedAt).toBeUndefined();
    expect(leaver?.paths[0]?.closedSeq).toBeUndefined();

    const ok = await script.later(HOUR).action('delete-login-profile', bob, 'bob');
    const verified = await script.verify(bob, 'bob', true);
    [leaver] = buildLeaverReport(await script.entries(), options()).leavers;
    expect(leaver?.paths[0]).toEqual(
      expect.objectContaining({ status: 'closed', attempts: 3, closedAt: ok.at, closedSeq: ok.seq, verifiedAt: verified.at, verifiedSeq: verified.seq }),
    );
    expect(leaver?.paths[0]?.error).toBeUndefined();
    expect(leaver?.open).toBe(false);
  });

  it('a skipped action keeps its path open with "skipped" as its error', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.intent('delete-login-profile', bob, 'bob');
    await script.outcome('delete-login-profile', bob, 'bob', 'skipped');

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver?.paths[0]).toMatchObject({ status: 'skipped', error: 'skipped', attempts: 1 });
    expect(leaver?.open).toBe(true);
  });

  it('the window includes leavers whose clock starts exactly at `from` or `to`, and not one millisecond outside', async () => {
    const script = new AuditScript('2026-10-01T00:00:00.000Z');
    const at = ['2026-10-31T23:59:59.999Z', '2026-11-01T00:00:00.000Z', '2026-11-30T23:59:59.000Z', '2026-11-30T23:59:59.001Z'];
    for (const [i, effectiveAt] of at.entries()) {
      await script.leaver(createDummyPersonRef({ employeeId: `E${i}`, email: `p${i}@example.com` }), { effectiveAt });
    }
    const report = buildLeaverReport(await script.entries(), options({ now: new Date('2026-12-05T00:00:00Z') }));
    expect(report.leavers.map((l) => l.email)).toEqual(['p1@example.com', 'p2@example.com']);
  });

  it('access removed before the effective time counts as 0 hours and is noted as revoked early', async () => {
    const script = new AuditScript('2026-11-19T10:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-login-profile', bob, 'bob');
    await script.verify(bob, 'bob', true);

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver).toMatchObject({ open: false, hoursToNoAccess: 0, sla: 'met' });
    expect(leaver?.notes).toEqual(['access was removed before the effective time (revoked early)']);
  });

  it('notes a user never verified, and a leaver whose only path is the user deletion', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-user', bob, 'bob');

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver?.users).toEqual([{ account: '111122223333', userName: 'bob', lastResult: 'none' }]);
    expect(leaver?.notes).toEqual([
      'only the deletion of the IAM user is in this audit log: its access was already closed before the first audited run',
      'bob has not been verified yet',
    ]);
  });

  it('a leaver with no path at all is open; open leavers come first, then by clock start, then by email', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    const carl = createDummyPersonRef({ employeeId: 'E9', email: 'carl@example.com' });
    await script.leaver(carl, { effectiveAt: '2026-11-21T00:00:00.000Z' });
    await script.leaver(ann, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-login-profile', ann, 'ann');
    await script.verify(ann, 'ann', true);
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-login-profile', bob, 'bob');
    await script.verify(bob, 'bob', true);
    const dan = createDummyPersonRef({ employeeId: 'E10', email: 'dan@example.com' });
    await script.leaver(dan, { effectiveAt: '2026-11-19T00:00:00.000Z' });
    await script.action('delete-login-profile', dan, 'dan');
    await script.verify(dan, 'dan', true);

    const report = buildLeaverReport(await script.entries(), options());

    expect(report.leavers.map((l) => [l.email, l.open])).toEqual([
      ['carl@example.com', true],
      ['dan@example.com', false],
      ['ann@example.com', false],
      ['bob@example.com', false],
    ]);
    expect(report.leavers[0]?.paths).toEqual([]);
    // carl is open four days after his clock started, dan was closed 25 h after his: both missed.
    expect(report.summary).toMatchObject({ leavers: 4, closed: 3, open: 1, met: 2, missed: 2, pending: 0 });
  });

  it('the latest leaver entry wins for name, effective time and who marked it; accounts accumulate', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(bob, { fullName: 'Bob Old', effectiveAt: '2026-11-19T00:00:00.000Z', markedBy: 'roster:a.csv', accounts: ['111'] });
    await script.leaver(bob, { fullName: 'Bob New', effectiveAt: '2026-11-20T00:00:00.000Z', markedBy: 'slack:U9', accounts: ['222', 7 as unknown as string] });
    await script.leaver(bob, { fullName: '', effectiveAt: '', markedBy: '' });

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver).toMatchObject({ fullName: 'Bob New', effectiveAt: '2026-11-20T00:00:00.000Z', markedBy: { kind: 'slack', user: 'U9' } });
    expect(leaver?.accounts).toEqual(['111', '111122223333', '222']);
  });

  it('rolls paths up per category with the latest close and verification and the open count', () => {
    const base = { account: '1', target: 'bob', detail: '', attempts: 1 } as const;
    const leaver = {
      paths: [
        { ...base, category: 'console', action: 'delete-login-profile', status: 'closed', closedAt: '2026-11-20T02:00:00.000Z', verifiedAt: '2026-11-20T05:00:00.000Z' },
        { ...base, category: 'console', action: 'delete-login-profile', status: 'closed', closedAt: '2026-11-20T03:00:00.000Z', verifiedAt: '2026-11-20T04:00:00.000Z' },
        { ...base, category: 'console', action: 'delete-login-profile', status: 'closed', closedAt: '2026-11-20T01:00:00.000Z' },
      ],
    } as unknown as Parameters<typeof categoriesOf>[0];
    expect([...categoriesOf(leaver).values()]).toEqual([
      { category: 'console', paths: 3, open: 1, closedAt: '2026-11-20T03:00:00.000Z', verifiedAt: '2026-11-20T05:00:00.000Z' },
    ]);
  });

  it('reads who marked the leaver and the person text defensively', () => {
    expect(parseMarkedBy(undefined)).toEqual({ kind: 'other', text: 'unknown' });
    expect(parseMarkedBy('')).toEqual({ kind: 'other', text: 'unknown' });
    expect(parseMarkedBy('api:x')).toEqual({ kind: 'other', text: 'api:x' });
    expect(describeMarkedBy({ kind: 'slack', user: 'U1' })).toBe('Slack user U1');
    expect(describeMarkedBy({ kind: 'hr-file', file: 'r.csv' })).toBe('HR file r.csv');
    expect(describeMarkedBy({ kind: 'other', text: 'api:x' })).toBe('api:x');
    expect(parseAuditPerson(undefined)).toEqual({});
    expect(parseAuditPerson('  Bob@Example.com ( E2x )  ')).toEqual({ email: 'Bob@Example.com', employeeId: 'E2x' });
  });
});
