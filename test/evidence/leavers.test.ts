import { buildLeaverReport, categoriesOf, parseAuditPerson, parseMarkedBy } from '../../src/domain/evidence/leavers';
import { median, percentile } from '../../src/domain/evidence/stats';
import { AuditScript, HOUR, createDummyPersonRef, reportOptions } from './builders';

const bob = createDummyPersonRef();
const leo = createDummyPersonRef({ employeeId: 'E12', email: 'leo@example.com' });

const options = reportOptions;

describe('order statistics', () => {
  it('takes the median of odd and even counts', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });

  it('takes the nearest-rank percentile', () => {
    const values = Array.from({ length: 20 }, (_, i) => i + 1);
    expect(percentile(values, 95)).toBe(19);
    expect(percentile(values, 100)).toBe(20);
    expect(percentile([7], 95)).toBe(7);
    expect(percentile([], 95)).toBeUndefined();
    expect(() => percentile([1], 0)).toThrow(RangeError);
  });
});

describe('reading audit text', () => {
  it('keeps the case of the employee id in `email (id)`', () => {
    expect(parseAuditPerson('Bob@Example.com (E002)')).toEqual({ email: 'Bob@Example.com', employeeId: 'E002' });
    expect(parseAuditPerson('bob@example.com')).toEqual({ email: 'bob@example.com' });
  });

  it('tells a Slack user from the HR file', () => {
    expect(parseMarkedBy('slack:U0HR1')).toEqual({ kind: 'slack', user: 'U0HR1' });
    expect(parseMarkedBy('roster:hr/roster.csv')).toEqual({ kind: 'hr-file', file: 'hr/roster.csv' });
    expect(parseMarkedBy(undefined)).toEqual({ kind: 'other', text: 'unknown' });
  });
});

describe('buildLeaverReport', () => {
  it('dates each path from its outcome entry and its verification from the next re-read', async () => {
    const script = new AuditScript('2026-11-20T02:00:00.000Z');
    await script.leaver(bob, { fullName: 'Bob Martins', effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('attach-deny-all', bob, 'bob', { policyName: 'warden-deny-all' });
    await script.intent('deactivate-access-key', bob, 'bob', { accessKeyId: 'AKIA1' });
    const key1 = await script.later(1000).outcome('deactivate-access-key', bob, 'bob');
    await script.intent('deactivate-access-key', bob, 'bob', { accessKeyId: 'AKIA2' });
    const key2 = await script.later(1000).outcome('deactivate-access-key', bob, 'bob');
    await script.action('delete-login-profile', bob, 'bob');
    await script.action('remove-from-group', bob, 'bob', { groupName: 'developers' });
    const verified = await script.later(5 * 60_000).verify(bob, 'bob', true);

    const report = buildLeaverReport(await script.entries(), options());

    expect(report.leavers).toHaveLength(1);
    const leaver = report.leavers[0];
    expect(leaver).toMatchObject({ employeeId: 'E2', email: 'bob@example.com', fullName: 'Bob Martins', open: false, sla: 'met' });
    expect(leaver?.markedBy).toEqual({ kind: 'hr-file', file: 'roster.csv' });
    const keys = leaver?.paths.filter((p) => p.category === 'access-keys') ?? [];
    expect(keys.map((k) => [k.detail, k.closedSeq, k.verifiedSeq])).toEqual([
      ['AKIA1', key1.seq, verified.seq],
      ['AKIA2', key2.seq, verified.seq],
    ]);
    expect(leaver?.paths.find((p) => p.category === 'groups')?.detail).toBe('developers');
    expect(leaver?.noAccessLeftAt).toBe(verified.at);
    expect(leaver?.hoursToNoAccess).toBeCloseTo((Date.parse(verified.at) - Date.parse('2026-11-20T00:00:00.000Z')) / HOUR, 6);
    expect(categoriesOf(leaver as NonNullable<typeof leaver>).get('console')).toMatchObject({ paths: 1, open: 0, verifiedAt: verified.at });
  });

  it('counts a failed attempt retried by the next run once, closed when the retry held', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('deactivate-access-key', bob, 'bob', { accessKeyId: 'AKIA1' }, 'failed');
    await script.verify(bob, 'bob', false);
    script.run('run-2').later(HOUR);
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    const retry = await script.action('deactivate-access-key', bob, 'bob', { accessKeyId: 'AKIA1' });
    const verified = await script.verify(bob, 'bob', true);

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver?.paths).toHaveLength(1);
    expect(leaver?.paths[0]).toMatchObject({ status: 'closed', attempts: 2, closedSeq: retry.seq, verifiedSeq: verified.seq });
    expect(leaver?.runs).toEqual(['run-1', 'run-2']);
    expect(leaver?.noAccessLeftAt).toBe(verified.at);
  });

  it('keeps a leaver open while an action failed, is in flight, or the user was never verified', async () => {
    const failed = new AuditScript('2026-11-20T01:00:00.000Z');
    await failed.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await failed.action('deactivate-access-key', bob, 'bob', { accessKeyId: 'AKIA1' }, 'failed');
    await failed.verify(bob, 'bob', false);
    const inFlight = new AuditScript('2026-11-20T01:00:00.000Z');
    await inFlight.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await inFlight.intent('delete-login-profile', bob, 'bob');
    const unverified = new AuditScript('2026-11-20T01:00:00.000Z');
    await unverified.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await unverified.action('delete-login-profile', bob, 'bob');

    const reports = await Promise.all([failed, inFlight, unverified].map(async (s) => buildLeaverReport(await s.entries(), options()).leavers[0]));

    expect(reports.map((l) => l?.open)).toEqual([true, true, true]);
    expect(reports.map((l) => l?.paths[0]?.status)).toEqual(['failed', 'in-progress', 'closed']);
    expect(reports[0]?.paths[0]?.error).toBe('Throttling: Rate exceeded');
    expect(reports[2]?.paths[0]?.verifiedAt).toBeUndefined();
    expect(reports.every((l) => l?.noAccessLeftAt === undefined && l?.hoursToNoAccess === undefined)).toBe(true);
  });

  it('marks an open leaver missed once the SLA has passed and pending before, and lists open leavers first', async () => {
    const script = new AuditScript('2026-11-20T01:00:00.000Z');
    await script.leaver(leo, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.action('delete-login-profile', leo, 'lpark');
    await script.verify(leo, 'lpark', true);
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:30:00.000Z' });
    await script.action('delete-login-profile', bob, 'bob', {}, 'failed');

    const early = buildLeaverReport(await script.entries(), options({ now: new Date('2026-11-20T12:00:00Z') }));
    const late = buildLeaverReport(await script.entries(), options({ now: new Date('2026-11-22T00:00:00Z') }));

    expect(early.leavers.map((l) => [l.email, l.open, l.sla])).toEqual([
      ['bob@example.com', true, 'pending'],
      ['leo@example.com', false, 'met'],
    ]);
    expect(late.leavers[0]?.sla).toBe('missed');
    expect(early.summary).toMatchObject({ leavers: 2, open: 1, closed: 1, met: 1, missed: 0, pending: 1, shareWithinSla: 1 });
    expect(late.summary).toMatchObject({ met: 1, missed: 1, shareWithinSla: 0.5 });
  });

  it('takes host paths as verified by the host script and user deletion as verified by the deleted flag', async () => {
    const script = new AuditScript('2026-11-20T03:00:00.000Z');
    await script.leaver(bob, { effectiveAt: '2026-11-20T00:00:00.000Z' });
    await script.intent('remove-host-key', bob, 'i-0abc:bob', { instanceId: 'i-0abc', osUser: 'bob', keyType: 'ssh-ed25519', keyBody: 'AAAA', comment: 'bob@laptop' });
    await script.intent('lock-host-user', bob, 'i-0abc:bob', { instanceId: 'i-0abc', osUser: 'bob' });
    const key = await script.later(30_000).outcome('remove-host-key', bob, 'i-0abc:bob');
    const lock = await script.outcome('lock-host-user', bob, 'i-0abc:bob');
    await script.action('delete-user', bob, 'bob');
    const deleted = await script.verify(bob, 'bob', true, { deleted: true });

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    const hosts = leaver?.paths.filter((p) => p.category === 'hosts') ?? [];
    expect(hosts.map((p) => [p.detail, p.verifiedSeq])).toEqual([
      ['lock account', lock.seq],
      ['ssh-ed25519 bob@laptop', key.seq],
    ]);
    expect(leaver?.open).toBe(false);
    expect(leaver?.noAccessLeftAt).toBe(deleted.at);
    expect(leaver?.notes).toEqual([]);
  });

  it('reports leavers by effective time, following entries past `to` and ignoring other reasons', async () => {
    const script = new AuditScript('2026-10-30T12:00:00.000Z');
    await script.leaver(leo, { effectiveAt: '2026-10-30T00:00:00.000Z' });
    await script.action('delete-login-profile', leo, 'lpark');
    await script.verify(leo, 'lpark', true);
    script.at('2026-11-30T20:00:00.000Z');
    await script.log.append({ runId: 'run-x', actor: 'system', action: 'remove-from-group', account: '1', target: 'bob', person: 'bob@example.com (E2)', reason: 'excess-privilege', result: 'failed', error: 'x' });
    await script.leaver(bob, { effectiveAt: '2026-11-30T18:00:00.000Z', markedBy: 'slack:U0HR1' });
    script.at('2026-12-01T10:00:00.000Z');
    await script.action('delete-login-profile', bob, 'bob');
    const verified = await script.verify(bob, 'bob', true);

    const report = buildLeaverReport(await script.entries(), options({ now: new Date('2026-12-02T00:00:00Z') }));

    expect(report.leavers.map((l) => l.email)).toEqual(['bob@example.com']);
    expect(report.leavers[0]).toMatchObject({ open: false, noAccessLeftAt: verified.at, markedBy: { kind: 'slack', user: 'U0HR1' } });
    expect(report.leavers[0]?.paths.map((p) => p.action)).toEqual(['delete-login-profile']);
  });

  it('measures from the first action when no effective time was recorded, and says so', async () => {
    const script = new AuditScript('2026-11-20T00:00:00.000Z');
    const first = await script.leaver(bob, {});
    await script.action('delete-login-profile', bob, 'bob');
    await script.later(HOUR).verify(bob, 'bob', true);

    const [leaver] = buildLeaverReport(await script.entries(), options()).leavers;

    expect(leaver?.clockStartAt).toBe(first.at);
    expect(leaver?.effectiveAt).toBeUndefined();
    expect(leaver?.hoursToNoAccess).toBeCloseTo(1 + 1 / 60, 6);
    expect(leaver?.notes.join(' ')).toContain('no effective time was recorded');
  });

  it('summarises share within SLA, median and 95th percentile over closed leavers', async () => {
    const script = new AuditScript('2026-11-10T00:00:00.000Z');
    const hours = [1, 2, 3, 30];
    for (const [i, h] of hours.entries()) {
      const person = createDummyPersonRef({ employeeId: `E${i}`, email: `p${i}@example.com` });
      script.at(new Date(Date.parse('2026-11-10T00:00:00Z') + i * 100 * HOUR).toISOString());
      const effectiveAt = script.clock.now().toISOString();
      await script.leaver(person, { effectiveAt });
      await script.intent('delete-login-profile', person, `u${i}`);
      await script.outcome('delete-login-profile', person, `u${i}`);
      script.at(new Date(Date.parse(effectiveAt) + h * HOUR).toISOString());
      await script.verify(person, `u${i}`, true);
    }

    const { summary } = buildLeaverReport(await script.entries(), options({ now: new Date('2026-11-30T00:00:00Z') }));

    expect(summary).toMatchObject({ leavers: 4, closed: 4, open: 0, met: 3, missed: 1, shareWithinSla: 0.75 });
    expect(summary.medianHours).toBeCloseTo(2.5, 6);
    expect(summary.p95Hours).toBeCloseTo(30, 6);
    expect(summary.maxHours).toBeCloseTo(30, 6);
  });
});
